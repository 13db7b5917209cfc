"""Retrieval metrics over ranked chunk ids, with labelled evidence as the gold standard.

Each QA item has evidence quotes; a quote's gold chunks are those overlapping at least
half of the quote (or half of the chunk, when the chunk is shorter). recall@k is the
share of quotes with a gold chunk in the top k; hit rate@k whether any quote has one;
MRR the reciprocal rank of the first gold chunk; nDCG@k uses binary relevance over
the union of gold chunks.
"""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

from core.types import Chunk


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Span of `quote` in `text`, matching any run of whitespace between its words."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), text)
    return match.span() if match else None


def gold_chunk_ids(chunks: Iterable[Chunk], span: tuple[int, int], doc_name: str) -> set[str]:
    start, end = span
    gold = set()
    for chunk in chunks:
        if chunk.doc_name != doc_name:
            continue
        overlap = min(end, chunk.end) - max(start, chunk.start)
        if overlap > 0 and overlap >= 0.5 * min(end - start, chunk.end - chunk.start):
            gold.add(chunk.chunk_id)
    return gold


def recall_at_k(ranked: Sequence[str], gold_per_quote: Sequence[set[str]], k: int) -> float:
    if not gold_per_quote:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for gold in gold_per_quote if gold & top) / len(gold_per_quote)


def hit_rate_at_k(ranked: Sequence[str], gold_per_quote: Sequence[set[str]], k: int) -> float:
    top = set(ranked[:k])
    return 1.0 if any(gold & top for gold in gold_per_quote) else 0.0


def reciprocal_rank(ranked: Sequence[str], gold_per_quote: Sequence[set[str]]) -> float:
    gold = set().union(*gold_per_quote) if gold_per_quote else set()
    for rank, cid in enumerate(ranked, start=1):
        if cid in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, cid in enumerate(ranked[:k], start=1) if cid in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal
