"""Dense, BM25 and hybrid retrieval over a CorpusIndex, with document and access filters.

Hybrid fusion: reciprocal rank fusion (Cormack et al. 2009), or a convex sum of min-max
or z-score normalised scores. BM25 can expand the query from its own top hits (RM3-style
pseudo-relevance feedback, config.prf_terms). Every hit records each stage's score and rank so the page
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
        self._vectors: dict[str, object] = {}

    def prime(self, queries: list[str]) -> None:
        """Embed these queries in one batch now (much faster than one at a time); later
        `retrieve` calls for them reuse the vectors."""
        if self.config.mode == "bm25":
            return
        todo = list(dict.fromkeys(check_query(q) for q in queries if check_query(q) not in self._vectors))
        if todo:
            self._vectors.update(zip(todo, self.index.embedder.embed(todo)))

    def query_vector(self, query: str):
        vector = self._vectors.get(query)
        if vector is not None:
            return vector
        from core.embedding import shared_cache  # shared with the extractive reader: the question is embedded once

        return shared_cache(self.index.embedder).vectors([query])[0]

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
            lists["dense"] = self.index.dense_search(self.query_vector(query), n, doc_ids)
        if self.config.mode in ("bm25", "hybrid"):
            c = self.config
            prf = (c.prf_terms, c.prf_docs, c.prf_weight) if c.prf_terms else None
            lists["bm25"] = self.index.sparse.search(query, n, self._allowed_chunks(doc_ids), prf)
        if self.config.mode == "hybrid":
            lists["fused"] = fuse(lists["dense"], lists["bm25"], self.config)
        if self.config.vector_prf and self.config.mode != "bm25":
            self._vector_feedback(query, lists, n, doc_ids)
        final = lists[_final_stage(lists, self.config.mode)]
        return [_hit(self.index, cid, score, rank, lists) for rank, (cid, score) in enumerate(final[:k], start=1)]

    def _vector_feedback(self, query: str, lists: dict, n: int, doc_ids: list[str] | None) -> None:
        """Rocchio on the query vector: towards the mean of the top hits' stored vectors, then
        dense search (and fusion) again. The first-pass lists stay visible as stages."""
        import numpy as np

        top = [cid for cid, _ in lists["fused" if "fused" in lists else "dense"][: self.config.vector_prf]]
        if not top:
            return
        stored = self.index.dense.collection.get(ids=top, include=["embeddings"])
        if not len(stored["ids"]):
            return
        vector = self.query_vector(query) + self.config.vector_prf_weight * np.mean(np.asarray(stored["embeddings"]), axis=0)
        vector = (vector / (np.linalg.norm(vector) or 1.0)).astype(np.float32)
        lists["dense+feedback"] = self.index.dense_search(vector, n, doc_ids)
        if "bm25" in lists:
            lists["fused+feedback"] = fuse(lists["dense+feedback"], lists["bm25"], self.config)

    def _allowed_chunks(self, doc_ids: list[str] | None) -> set[str] | None:
        if doc_ids is None:
            return None
        if self._chunk_filter is None:
            wanted = set(doc_ids)
            self._chunk_filter = {c.chunk_id for c in self.index.chunks if c.doc_id in wanted}
        return self._chunk_filter


def _final_stage(lists: dict, mode: str) -> str:
    for name in (("fused+feedback", "fused") if mode == "hybrid" else (f"{mode}+feedback", mode)):
        if name in lists:
            return name
    return mode


def check_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise BadInputError("question", "is empty. Type a question, or pick one from the QA set.")
    if len(query) > MAX_QUERY_CHARS:
        raise BadInputError("question", f"is {len(query):,} characters; shorten it to under {MAX_QUERY_CHARS:,}.")
    return query


def fuse(dense: list[tuple[str, float]], bm25: list[tuple[str, float]], config: RetrievalConfig) -> list[tuple[str, float]]:
    """Fused (chunk_id, score), best first. Convex fusions ("weighted": min-max, "zscore")
    give a chunk missing from one list that list's lowest normalised score."""
    weights = (config.dense_weight, 1.0 - config.dense_weight)
    scores: dict[str, float] = {}
    if config.fusion == "rrf":
        for weight, ranked in zip(weights, (dense, bm25)):
            for rank, (cid, _) in enumerate(ranked, start=1):
                scores[cid] = scores.get(cid, 0.0) + weight / (config.rrf_k + rank)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    every = list(dict.fromkeys([cid for cid, _ in dense] + [cid for cid, _ in bm25]))
    for weight, ranked in zip(weights, (dense, bm25)):
        normal = _normalise([s for _, s in ranked], config.fusion)
        floor = min(normal, default=0.0)
        found = {cid: v for (cid, _), v in zip(ranked, normal)}
        for cid in every:
            scores[cid] = scores.get(cid, 0.0) + weight * found.get(cid, floor)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _normalise(values: list[float], method: str) -> list[float]:
    if not values:
        return []
    if method == "zscore":
        mean = sum(values) / len(values)
        spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
        return [(v - mean) / spread for v in values]
    low, span = min(values), (max(values) - min(values)) or 1.0
    return [(v - low) / span for v in values]


def _hit(index: CorpusIndex, chunk_id: str, score: float, rank: int, lists) -> Hit:
    stages = []
    for name, ranked in lists.items():
        for position, (cid, s) in enumerate(ranked, start=1):
            if cid == chunk_id:
                stages.append((name, s, position))
                break
    return Hit(chunk=index.chunk(chunk_id), score=score, rank=rank, stages=tuple(stages))
