"""Where a local answer ends: at the stop strings small models echo (a prompt fence, a next
question), and at the first line that repeats an earlier one.

SmolLM2-135M often loops ("The answer is 12 months." five times over) until it runs out of
new tokens; every looped token costs as much as a useful one on CPU. Stopping at the first
repeated line, and cutting it, keeps the answer and saves the rest of the allowance.
"""

from __future__ import annotations

# Small models start echoing the prompt's fences or a next question: stop there (and cut them off).
STOP_STRINGS = ("<passages", "</passages>", "<document", "</document>", "\nQuestion:")
_MIN_LINE = 12  # characters: short lines ("1.", "Yes.") may legitimately recur


def finish(text: str) -> str:
    """The answer up to the first stop string, without a line that repeats an earlier one (and what follows it)."""
    cuts = [text.find(stop) for stop in STOP_STRINGS if stop in text]
    text = text[: min(cuts)] if cuts else text
    seen, kept = set(), []
    for line in text.split("\n"):
        key = " ".join(line.split()).lower()
        if len(key) >= _MIN_LINE and key in seen:
            break
        seen.add(key)
        kept.append(line)
    return "\n".join(kept).strip()


def repeated_line(text: str) -> bool:
    """Whether a complete line of `text` (one followed by a line break) repeats an earlier one."""
    lines = [" ".join(line.split()).lower() for line in text.split("\n")[:-1]]
    lines = [line for line in lines if len(line) >= _MIN_LINE]
    return len(lines) != len(set(lines))


def RepeatedLineStop(tokenizer, prompt_length: int):
    """A transformers StoppingCriteria that ends generation once a line repeats."""
    import torch
    from transformers import StoppingCriteria

    class _Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            done = [repeated_line(tokenizer.decode(row[prompt_length:], skip_special_tokens=True)) for row in input_ids]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return _Stop()
