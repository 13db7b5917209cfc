"""Score a retriever on a labelled QA set: recall@k, MRR, nDCG@10, hit rate.

Only answerable items are scored. Each evidence quote is located in the current
version of its source document; for freshness items whose old quote is gone after an
update, the updated quote is used. Items with no locatable quote are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from core.metrics import gold_chunk_ids, hit_rate_at_k, locate, ndcg_at_k, recall_at_k, reciprocal_rank
from core.qa import QAItem
from core.retrieval import Retriever
from core.types import Chunk, Document

KS = (1, 3, 5, 10, 20)


@dataclass(frozen=True)
class RetrievalScores:
    questions: int
    unlocated: int  # items none of whose quotes were found in the corpus
    recall: tuple[tuple[int, float], ...]
    hit_rate: tuple[tuple[int, float], ...]
    mrr: float
    ndcg_at_10: float

    def recall_at(self, k: int) -> float:
        return dict(self.recall)[k]

    def hit_rate_at(self, k: int) -> float:
        return dict(self.hit_rate)[k]


def gold_for(item: QAItem, chunks: Sequence[Chunk], documents: dict[str, Document]) -> list[set[str]]:
    """Gold chunk ids per evidence quote that can be located in the current documents."""
    gold = []
    for quotes in (item.evidence, item.evidence_after_update):
        for quote in quotes:
            for name in item.sources:
                document = documents.get(name)
                span = locate(document.text, quote) if document else None
                if span:
                    gold.append(gold_chunk_ids(chunks, span, name))
                    break
        if gold:
            return gold
    return gold


def evaluate_retrieval(
    retriever: Retriever,
    chunks: Sequence[Chunk],
    documents: dict[str, Document],
    items: Sequence[QAItem],
    progress: Callable[[float, str], None] | None = None,
) -> RetrievalScores:
    rows = []
    unlocated = 0
    scored = [i for i in items if i.answerable]
    depth = max(KS)
    prime = getattr(retriever, "prime", None)
    if prime is not None:  # embed every question in one batch
        prime([i.question for i in scored])
    for n, item in enumerate(scored):
        if progress:
            progress(n / max(len(scored), 1), f"Question {n + 1}/{len(scored)}")
        gold = gold_for(item, chunks, documents)
        if not gold:
            unlocated += 1
            continue
        ranked = [hit.chunk.chunk_id for hit in retriever.retrieve(item.question, depth)]
        rows.append((ranked, gold))
    count = max(len(rows), 1)
    mean = lambda f: sum(f(r, g) for r, g in rows) / count  # noqa: E731
    return RetrievalScores(
        questions=len(rows),
        unlocated=unlocated,
        recall=tuple((k, mean(lambda r, g: recall_at_k(r, g, k))) for k in KS),
        hit_rate=tuple((k, mean(lambda r, g: hit_rate_at_k(r, g, k))) for k in KS),
        mrr=mean(reciprocal_rank),
        ndcg_at_10=mean(lambda r, g: ndcg_at_k(r, set().union(*g), 10)),
    )
