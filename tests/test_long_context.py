"""Fitting a corpus into a small window: overflow is explained, truncation keeps the evidence
(its passages when it is large) and places it where asked, and what is kept fits."""

from __future__ import annotations

import pytest

from core.errors import PlaygroundError
from core.long_context import CUT, fit_documents
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
