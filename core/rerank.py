"""Rerankers: reorder a retriever's candidates. One method: `rerank(query, hits, k)`.

- MMRReranker (offline): maximal marginal relevance. Relevance is the retriever's own
  score (the fused score for hybrid, min-max normalised over the candidates), redundancy
  the cosine between the chunk vectors stored in Chroma; `lambda_` trades one for the
  other. It never improves relevance metrics: it buys diversity with them.
- CrossEncoderReranker: any sentence-transformers CrossEncoder id or local path (needs
  its weights on disk; none ship with the app, and the error says so).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Protocol

import numpy as np

from core.embedding import Embedder
from core.errors import ConfigError
from core.index.dense import DenseIndex
from core.types import Hit


class Reranker(Protocol):
    name: str

    def rerank(self, query: str, hits: list[Hit], k: int) -> list[Hit]: ...


def reorder(hits: list[Hit], scores: list[float], k: int) -> list[Hit]:
    """New ranks by `scores` (descending); each hit keeps its earlier stages."""
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], hits[i].rank))[:k]
    return [
        dataclasses.replace(hits[i], score=float(scores[i]), rank=rank,
                            stages=hits[i].stages + (("rerank", float(scores[i]), rank),))  # fmt: skip
        for rank, i in enumerate(order, start=1)
    ]


class MMRReranker:
    name = "MMR (diversity)"

    def __init__(self, embedder: Embedder | None, dense: DenseIndex, lambda_: float = 0.7) -> None:
        """`embedder` is not used (relevance comes from the hits' scores); kept so callers
        need not change."""
        if not 0.0 <= lambda_ <= 1.0:
            raise ConfigError(f"MMR lambda={lambda_!r} must be between 0 (diverse) and 1 (relevant).")
        if dense is None:
            raise ConfigError("MMR needs the chunk vectors: use an index with dense vectors (not BM25-only).")
        self.embedder, self.dense, self.lambda_ = embedder, dense, lambda_

    def rerank(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        if not hits:
            return []
        stored = self.dense.collection.get(ids=[h.chunk.chunk_id for h in hits], include=["embeddings"])
        by_id = dict(zip(stored["ids"], stored["embeddings"]))
        docs = np.array([by_id[h.chunk.chunk_id] for h in hits], dtype=np.float32)
        raw = np.array([h.score for h in hits], dtype=np.float32)
        relevance = (raw - raw.min()) / ((raw.max() - raw.min()) or 1.0)
        redundancy = np.zeros(len(hits), dtype=np.float32)  # max cosine to the chosen so far (0 at first)
        free = np.ones(len(hits), dtype=bool)
        scores = [float("-inf")] * len(hits)
        for step in range(min(k, len(hits))):
            value = np.where(free, self.lambda_ * relevance - (1 - self.lambda_) * redundancy, -np.inf)
            best = int(np.argmax(value))
            free[best] = False
            similarity = docs @ docs[best]
            redundancy = similarity if step == 0 else np.maximum(redundancy, similarity)
            scores[best] = len(hits) - step - 1  # selection order is the ranking
        return reorder(hits, scores, k)


@lru_cache(maxsize=2)
def _cross_encoder(model: str):
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(model, device="cpu")
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cross-encoder {model!r} could not be loaded: no local copy and this machine cannot "
            "download it. Give a local folder of a CrossEncoder model (e.g. a saved "
            "cross-encoder/ms-marco-MiniLM-L-6-v2), or pick an offline reranker."
        ) from exc


class CrossEncoderReranker:
    def __init__(self, model: str) -> None:
        self.model = model
        self.name = f"cross-encoder {model}"

    def rerank(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        if not hits:
            return []
        scores = _cross_encoder(self.model).predict([(query, h.chunk.text) for h in hits], show_progress_bar=False)
        return reorder(hits, [float(s) for s in scores], k)


class RerankingRetriever:
    """A retriever composed with a reranker: fetch `candidates`, rerank, keep k."""

    def __init__(self, base, reranker: Reranker, candidates: int = 30) -> None:
        self.base, self.reranker, self.candidates = base, reranker, candidates

    def prime(self, queries: list[str]) -> None:
        """Batch-embed queries in the base retriever, when it can."""
        prime = getattr(self.base, "prime", None)
        if prime is not None:
            prime(queries)

    def retrieve(self, query: str, k: int) -> list[Hit]:
        hits = self.base.retrieve(query, max(self.candidates, k))
        return self.reranker.rerank(query, hits, k)


_SCORE = __import__("re").compile(r"\b(10|[0-9])\b")
LLM_RERANK_SYSTEM = ("You judge whether a passage helps answer a question. Reply with one integer from 0 "
                     "(irrelevant) to 10 (answers it fully), and nothing else.")  # fmt: skip


class LLMReranker:
    """Pointwise relevance scores (0-10) from any generation backend, calls in parallel.
    Unparseable replies score -1 (kept, ordered by their earlier rank). `usage` holds the
    tokens of the last rerank so the page can price it."""

    def __init__(self, generator, workers: int = 8) -> None:
        self.generator, self.workers = generator, workers
        self.name = f"LLM judge ({generator.name})"
        self.usage: list = []

    def rerank(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        from concurrent.futures import ThreadPoolExecutor

        if not hits:
            return []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            replies = list(pool.map(lambda hit: self._judge(query, hit), hits))
        self.usage = [r.usage for r in replies]
        scores = []
        for reply in replies:
            match = _SCORE.search(reply.text)
            scores.append(float(match.group(1)) if match else -1.0)
        return reorder(hits, scores, k)

    def _judge(self, query: str, hit: Hit):
        messages = [{"role": "system", "content": LLM_RERANK_SYSTEM},
                    {"role": "user", "content": f"Question: {query}\n\nPassage:\n{hit.chunk.text}\n\nScore (0-10):"}]  # fmt: skip
        return self.generator.generate(messages, max_tokens=4)
