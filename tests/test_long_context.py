"""Fitting a corpus into a small window: overflow is explained, truncation keeps the evidence
(its passages when it is large) and places it where asked, and what is kept fits."""

from __future__ import annotations

import pytest

from core.errors import PlaygroundError
from core.long_context import CPU_BUDGET, CUT, WHOLE_WINDOW, fit_documents, prompt_limit
from core.types import Document


def words(text: str) -> int:
    return len(text.split())


def doc(name: str, n: int, fact: str = "") -> Document:
    body = "\n\n".join(f"{name} filler paragraph {i} " + "lorem " * 20 for i in range(n // 22))
    if fact:
        paragraphs = body.split("\n\n")
        paragraphs.insert(len(paragraphs) // 2, fact)
        body = "\n\n".join(paragraphs)
    return Document(name, name, name, "txt", body, len(body))


FACT = "The meal per diem for domestic travel is 75 dollars."
DOCS = [doc(f"d{i}.txt", 300) for i in range(6)] + [doc("evidence.txt", 2000, FACT)] + [doc("z.txt", 300)]


def fit(position="middle", budget=1200, truncate=True, evidence=("evidence.txt",), quotes=(FACT,)):
    return fit_documents(DOCS, set(evidence), quotes, position, budget + 100, 100, words, truncate, "m")


def test_a_corpus_that_fits_is_sent_whole_with_the_evidence_placed():
    result = fit("end", budget=10_000)
    assert [d.name for d in result.documents][-1] == "evidence.txt" and len(result.documents) == len(DOCS)
    assert "fits" in result.notes[0]


def test_overflow_without_truncation_says_by_how_much():
    with pytest.raises(PlaygroundError, match=r"overflows by [\d,]+ tokens.*Turn on truncation"):
        fit(truncate=False)


@pytest.mark.parametrize("position", ["start", "middle", "end"])
def test_truncation_keeps_the_evidence_passage_at_the_chosen_position(position):
    result = fit(position)
    names = [d.name for d in result.documents]
    assert sum(words(d.text) for d in result.documents) <= 1200
    evidence = next(d for d in result.documents if d.name == "evidence.txt")
    assert FACT in evidence.text and CUT in evidence.text, "the large evidence document is cut to its passage"
    at = names.index("evidence.txt")
    assert {"start": at == 0, "end": at == len(names) - 1, "middle": 0 < at < len(names) - 1}[position], names
    assert len(names) >= 4 and "Truncated: kept" in result.notes[0] and "at the " + position in result.notes[0]


def test_without_known_evidence_the_corpus_is_cut_in_order_and_the_note_says_position_does_nothing():
    result = fit(evidence=(), quotes=())
    assert [d.name for d in result.documents][:3] == ["d0.txt", "d1.txt", "d2.txt"]
    assert sum(words(d.text) for d in result.documents) <= 1200 and "no effect" in result.notes[0]


def test_a_window_too_small_for_the_question_itself_is_an_error():
    with pytest.raises(PlaygroundError, match="leaves no room"):
        fit_documents(DOCS, set(), (), "middle", 50, 100, words, True, "m")


class _Local:
    def __init__(self, on_cpu: bool) -> None:
        self.on_cpu = on_cpu


def test_a_budget_below_the_window_caps_what_is_kept_and_is_named_in_the_note():
    capped = fit_documents(DOCS, {"evidence.txt"}, (FACT,), "middle", 5000, 100, words, True, "m", limit=800)
    assert sum(words(d.text) for d in capped.documents) <= 700 and FACT in " ".join(d.text for d in capped.documents)
    assert "window is 5,000 (a 800-token long-context budget" in capped.notes[0]
    whole = fit_documents(DOCS, {"evidence.txt"}, (FACT,), "middle", 5000, 100, words, True, "m", limit=10**9)
    assert "budget" not in whole.notes[0] and len(whole.documents) == len(DOCS)


def test_the_default_budget_is_smaller_only_for_a_local_model_on_cpu():
    assert prompt_limit(_Local(True), 8192, None)[0] == CPU_BUDGET and "on CPU" in prompt_limit(_Local(True), 8192, None)[1]
    assert prompt_limit(_Local(False), 8192, None) == (8192, None)
    assert prompt_limit(None, 128_000, None) == (128_000, None), "an API model gets its whole window"
    assert prompt_limit(_Local(True), 8192, WHOLE_WINDOW) == (8192, None)
    assert prompt_limit(None, 128_000, 2048) == (2048, prompt_limit(None, 128_000, 2048)[1])
    assert "budget chosen" in prompt_limit(None, 128_000, 2048)[1]
    assert prompt_limit(_Local(True), 1024, None) == (1024, None), "a small window is never exceeded"


@pytest.mark.parametrize("budget", [0, 100, -5, True, 2048.5])
def test_a_lane_budget_must_be_a_sensible_token_count(budget):
    from core.errors import ConfigError
    from core.lanes import LaneConfig

    with pytest.raises(ConfigError, match="context_budget"):
        LaneConfig("long_context", context_budget=budget)
