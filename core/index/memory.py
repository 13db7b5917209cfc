"""Exact dense search in memory over one index version's vectors.

A query against Chroma costs a few milliseconds of CPU (its query planner, metadata
filter and result conversion) even for a corpus of a few hundred chunks; thirty sessions
asking at once pay that thirty times. An index of up to MAX_CHUNKS chunks instead keeps
its vectors (read once from Chroma) in a matrix: one product per query, exact rather than
approximate (HNSW), with the document filter as a mask. Scores are the cosine similarity
Chroma reports (vectors are unit length). Larger indexes, or one whose vectors are not
all in Chroma, keep using Chroma (None from `load`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.types import Chunk

MAX_CHUNKS = 50_000  # 384-dim float32: about 77 MB
_BATCH = 2000


@dataclass(frozen=True)
class MemoryVectors:
    ids: tuple[str, ...]
    doc_ids: np.ndarray  # doc id of each row
    matrix: np.ndarray  # (rows, dim) float32, unit rows

    @classmethod
    def load(cls, dense, chunks: tuple[Chunk, ...]) -> MemoryVectors | None:
        if dense is None or not chunks or len(chunks) > MAX_CHUNKS:
            return None
        ids = [c.chunk_id for c in chunks]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _BATCH):
            part = dense.collection.get(ids=ids[start : start + _BATCH], include=["embeddings"])
            found.update(zip(part["ids"], np.asarray(part["embeddings"], dtype=np.float32)))
        if len(found) != len(ids):
            return None
        matrix = np.vstack([found[i] for i in ids])
        return cls(tuple(ids), np.array([c.doc_id for c in chunks]), matrix)

    def search(self, vector: np.ndarray, k: int, doc_ids: list[str] | None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first, among rows of `doc_ids` (None: all)."""
        if k <= 0 or doc_ids is not None and not doc_ids:
            return []
        scores = self.matrix @ np.asarray(vector, dtype=np.float32).reshape(-1)
        rows = np.arange(len(self.ids)) if doc_ids is None else np.flatnonzero(np.isin(self.doc_ids, doc_ids))
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in rows]
