"""Chunk-size sweep: recall and MRR on the QA set for each chunk size, other settings fixed."""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from core.config import IndexConfig, RetrievalConfig
from core.index import build_index
from core.qa import QAItem
from core.retrieval import IndexRetriever
from core.retrieval_eval import RetrievalScores, evaluate_retrieval
from core.store import CorpusStore

Progress = Callable[[float, str], None]


def sweep_chunk_sizes(
    store: CorpusStore,
    corpus_id: str,
    base: IndexConfig,
    retrieval: RetrievalConfig,
    sizes: Sequence[int],
    items: Sequence[QAItem],
    progress: Progress | None = None,
) -> list[tuple[int, RetrievalScores]]:
    """Build (or reuse) one index per size, overlap scaled as in `base`, and score each."""
    report = progress or (lambda f, m: None)
    documents = {d.name: d for d in store.load_documents(corpus_id)}
    ratio = base.chunk.chunk_overlap / base.chunk.chunk_size
    results = []
    for n, size in enumerate(sizes):
        step = lambda f, m, n=n, size=size: report((n + f) / len(sizes), f"{size} tokens: {m}")  # noqa: E731
        chunk = dataclasses.replace(base.chunk, chunk_size=size, chunk_overlap=min(int(size * ratio), size // 2))
        index = build_index(store, corpus_id, dataclasses.replace(base, chunk=chunk), lambda f, m: step(0.8 * f, m))
        scores = evaluate_retrieval(IndexRetriever(index, dataclasses.replace(retrieval, documents=(), viewer_tags=None)),
                                    index.chunks, documents, items, lambda f, m: step(0.8 + 0.2 * f, m))  # fmt: skip
        results.append((size, scores))
    report(1.0, "Sweep done")
    return results
