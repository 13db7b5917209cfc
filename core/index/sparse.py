"""BM25 over chunk texts with bm25s, saved next to the index and reloaded by key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class SparseIndex:
    """A bm25s index over a fixed list of chunk ids (row i = chunk_ids[i])."""

    def __init__(self, retriever, chunk_ids: list[str]) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.row = {cid: i for i, cid in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> "SparseIndex":
        import bm25s

        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        return cls(retriever, chunk_ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(folder), show_progress=False)
        (folder / "chunk_ids.json").write_text(json.dumps(self.chunk_ids))

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex | None":
        import bm25s

        ids_file = folder / "chunk_ids.json"
        if not ids_file.is_file():
            return None
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(retriever, json.loads(ids_file.read_text()))

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score), best first; only chunk ids in `allowed` when given."""
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab or not self.chunk_ids:
            return []
        mask = None
        if allowed is not None:
            mask = np.array([cid in allowed for cid in self.chunk_ids], dtype=np.float32)
            if not mask.any():
                return []
        k = min(k, len(self.chunk_ids))
        rows, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, weight_mask=mask)
        return [(self.chunk_ids[int(r)], float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]
