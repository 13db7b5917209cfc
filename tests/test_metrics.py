"""Retrieval metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from core.metrics import gold_chunk_ids, hit_rate_at_k, locate, ndcg_at_k, recall_at_k, reciprocal_rank
from core.types import Chunk


def chunk(cid: str, start: int, end: int, doc: str = "a.md") -> Chunk:
    return Chunk(cid, "d", doc, 0, "x" * (end - start), start, end, 1)


def test_locate_ignores_whitespace_differences():
    text = "The notice\nperiod is   thirty days."
    assert locate(text, "notice period is thirty") == (4, 29)
    assert locate(text, "sixty days") is None


def test_gold_chunks_need_half_the_quote_or_half_the_chunk():
    chunks = [chunk("c1", 0, 100), chunk("c2", 90, 200), chunk("c3", 0, 100, doc="b.md")]
    assert gold_chunk_ids(chunks, (80, 120), "a.md") == {"c1", "c2"}
    assert gold_chunk_ids(chunks, (95, 140), "a.md") == {"c2"}


RANKED = ["x", "g1", "y", "g2", "z"]
GOLD = [{"g1"}, {"g2"}, {"g3"}]


def test_recall_hit_rate_and_mrr_by_hand():
    assert recall_at_k(RANKED, GOLD, 1) == 0.0
    assert recall_at_k(RANKED, GOLD, 2) == pytest.approx(1 / 3)
    assert recall_at_k(RANKED, GOLD, 5) == pytest.approx(2 / 3)
    assert hit_rate_at_k(RANKED, GOLD, 1) == 0.0 and hit_rate_at_k(RANKED, GOLD, 2) == 1.0
    assert reciprocal_rank(RANKED, GOLD) == 0.5
    assert reciprocal_rank(["x"], GOLD) == 0.0


def test_ndcg_by_hand():
    relevant = {"g1", "g2", "g3"}
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKED, relevant, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["g1", "g2", "g3"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at_k(RANKED, set(), 10) == 0.0
