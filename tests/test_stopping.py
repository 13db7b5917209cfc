"""Where a local answer ends: stop strings, and the first line that repeats an earlier one."""

from __future__ import annotations

from core.generation.stopping import RepeatedLineStop, finish, repeated_line

LOOP = "The answer is 12 months.\n\nThe answer is 12 months.\n\nThe answer is 12 months."


def test_a_looping_answer_keeps_its_first_line_only():
    assert finish(LOOP) == "The answer is 12 months."
    assert finish("Yes.\nYes.\nThe term is two years.") == "Yes.\nYes.\nThe term is two years.", "short lines may recur"
    assert finish("$75 a day.\nQuestion: and lodging?") == "$75 a day."
    assert finish("Line one is here.\n  line ONE is   here.\nmore") == "Line one is here.", "compared ignoring case and spaces"


def test_only_a_complete_repeated_line_stops_generation():
    assert not repeated_line("The answer is 12 months.\n\nThe answer is 12")  # the second copy is still being written
    assert repeated_line("The answer is 12 months.\n\nThe answer is 12 months.\n")
    assert not repeated_line("1. First item here\n2. Second item here\n")


def test_the_stopping_criterion_reads_only_the_new_tokens():
    import torch

    class Chars:  # one token per character
        def decode(self, ids, skip_special_tokens=True):
            return "".join(chr(int(i)) for i in ids)

    prompt = "Repeated line here.\nRepeated line here.\n"
    answer = "The answer is 12 months.\nThe answer is 12 months.\n"
    stop = RepeatedLineStop(Chars(), len(prompt))
    ids = torch.tensor([[ord(c) for c in prompt + answer[:30]], [ord(c) for c in prompt + answer[:30]]])
    assert stop(ids, None).tolist() == [False, False], "a repeat inside the prompt does not count"
    done = torch.tensor([[ord(c) for c in prompt + answer]])
    assert stop(done, None).tolist() == [True]
