"""Dense, BM25 and hybrid retrieval over a CorpusIndex, with document and access filters.

Hybrid fusion: reciprocal rank fusion (Cormack et al. 2009), or weighted fusion of
min-max normalised scores. Every hit records each stage's score and rank so the page
can show rank movement.
"""

from __future__ import annotations

from typing import Protocol

from core.config import RetrievalConfig
from core.errors import BadInputError, ConfigError
from core.index import CorpusIndex
from core.types import Hit

MAX_QUERY_CHARS = 4000


class Retriever(Protocol):
    def retrieve(self, query: str, k: int) -> list[Hit]: ...


class IndexRetriever:
    """`Retriever` over one CorpusIndex and RetrievalConfig."""

    def __init__(self, index: CorpusIndex, config: RetrievalConfig, doc_tags: dict[str, tuple[str, ...]] | None = None) -> None:
        if config.viewer_tags is not None and doc_tags is None:  # filtering by viewer without tags would leak
            raise ConfigError("A viewer's access tags need the documents' tags: build retrievers with "
                              "core.access.build_retrievers(index, corpus, config).")  # fmt: skip
        self.index = index
        self.config = config
        self.doc_tags = doc_tags or {}
        self._filter: tuple[list[str] | None] | None = None
        self._chunk_filter: set[str] | None = None

    def allowed_doc_ids(self) -> list[str] | None:
        """Doc ids the filters allow, or None when nothing is filtered out."""
        if not self.config.documents and self.config.viewer_tags is None:
            return None
        names, viewer = set(self.config.documents), self.config.viewer_tags
        allowed = set()
        for chunk in self.index.chunks:
            if names and chunk.doc_name not in names:
                continue
            tags = self.doc_tags.get(chunk.doc_name, ())
            if viewer is not None and tags and not set(tags) & set(viewer):
                continue
            allowed.add(chunk.doc_id)
        return sorted(allowed)

    def retrieve(self, query: str, k: int | None = None) -> list[Hit]:
        query = check_query(query)
        k = k or self.config.top_k
        if self._filter is None:
            self._filter = (self.allowed_doc_ids(),)
        (doc_ids,) = self._filter
        lists: dict[str, list[tuple[str, float]]] = {}
        n = max(self.config.candidates, k)
        if self.config.mode in ("dense", "hybrid"):
            vector = self.index.embedder.embed([query])[0]
            lists["dense"] = self.index.dense_search(vector, n, doc_ids)
        if self.config.mode in ("bm25", "hybrid"):
            lists["bm25"] = self.index.sparse.search(query, n, self._allowed_chunks(doc_ids))
        if self.config.mode == "hybrid":
            lists["fused"] = fuse(lists["dense"], lists["bm25"], self.config)
        final = lists["fused" if self.config.mode == "hybrid" else self.config.mode]
        return [_hit(self.index, cid, score, rank, lists) for rank, (cid, score) in enumerate(final[:k], start=1)]

    def _allowed_chunks(self, doc_ids: list[str] | None) -> set[str] | None:
        if doc_ids is None:
            return None
        if self._chunk_filter is None:
            wanted = set(doc_ids)
            self._chunk_filter = {c.chunk_id for c in self.index.chunks if c.doc_id in wanted}
        return self._chunk_filter


def check_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise BadInputError("question", "is empty. Type a question, or pick one from the QA set.")
    if len(query) > MAX_QUERY_CHARS:
        raise BadInputError("question", f"is {len(query):,} characters; shorten it to under {MAX_QUERY_CHARS:,}.")
    return query


def fuse(dense: list[tuple[str, float]], bm25: list[tuple[str, float]], config: RetrievalConfig) -> list[tuple[str, float]]:
    weights = (config.dense_weight, 1.0 - config.dense_weight)
    scores: dict[str, float] = {}
    for weight, ranked in zip(weights, (dense, bm25)):
        if config.fusion == "rrf":
            for rank, (cid, _) in enumerate(ranked, start=1):
                scores[cid] = scores.get(cid, 0.0) + weight / (config.rrf_k + rank)
        else:
            values = [s for _, s in ranked]
            low, span = (min(values), (max(values) - min(values)) or 1.0) if values else (0.0, 1.0)
            for cid, s in ranked:
                scores[cid] = scores.get(cid, 0.0) + weight * (s - low) / span
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _hit(index: CorpusIndex, chunk_id: str, score: float, rank: int, lists) -> Hit:
    stages = []
    for name, ranked in lists.items():
        for position, (cid, s) in enumerate(ranked, start=1):
            if cid == chunk_id:
                stages.append((name, s, position))
                break
    return Hit(chunk=index.chunk(chunk_id), score=score, rank=rank, stages=tuple(stages))
