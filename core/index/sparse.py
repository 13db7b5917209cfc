"""BM25 over chunk texts with bm25s, saved next to the index and reloaded by key.

bm25s precomputes every (document, term) BM25 weight into a sparse matrix; queries are
scored here as a weighted sum of its columns, which allows weighted query terms
(pseudo-relevance feedback) and exact filtering. Tokenisation: core.index.tokenize.
Zero-score chunks are returned after the scoring ones, in index order, so a list is
always as long as asked (as plain bm25s does).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np

from core.config import SparseConfig
from core.index.tokenize import tokenize


class SparseIndex:
    """A bm25s index over a fixed list of chunk ids (row i = chunk_ids[i])."""

    def __init__(self, retriever, chunk_ids: list[str], config: SparseConfig = SparseConfig()) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.config = config
        self.row = {cid: i for i, cid in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], config: SparseConfig = SparseConfig()) -> "SparseIndex":
        import bm25s

        retriever = bm25s.BM25(k1=config.k1, b=config.b, method=config.method)
        corpus = [tokenize(t, config.tokenizer, config.stem) or ["\0empty"] for t in texts]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, chunk_ids, config)

    def save(self, folder: Path) -> None:
        from dataclasses import asdict

        folder.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(folder), show_progress=False)
        (folder / "sparse_config.json").write_text(json.dumps(asdict(self.config)))
        (folder / "chunk_ids.json").write_text(json.dumps(self.chunk_ids))

    @classmethod
    def load(cls, folder: Path) -> "SparseIndex | None":
        import bm25s

        ids_file, config_file = folder / "chunk_ids.json", folder / "sparse_config.json"
        if not ids_file.is_file() or not config_file.is_file():
            return None
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        config = SparseConfig(**json.loads(config_file.read_text()))
        return cls(retriever, json.loads(ids_file.read_text()), config)

    @cached_property
    def _matrix(self):
        """(documents x vocabulary) BM25 weights, column-compressed."""
        import scipy.sparse as sp

        s = self.retriever.scores
        return sp.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(s["num_docs"], len(s["indptr"]) - 1))

    @cached_property
    def _rows(self):
        return self._matrix.tocsr()

    @cached_property
    def _terms(self) -> list[str]:
        terms = [""] * len(self.retriever.vocab_dict)
        for term, i in self.retriever.vocab_dict.items():
            terms[i] = term
        return terms

    def query_weights(self, query: str) -> dict[int, float]:
        """Vocabulary id -> weight for `query` (a repeated term counts again)."""
        weights: dict[int, float] = {}
        for token in tokenize(query, self.config.tokenizer, self.config.stem):
            i = self.retriever.vocab_dict.get(token)
            if i is not None:
                weights[i] = weights.get(i, 0.0) + 1.0
        return weights

    def scores(self, weights: dict[int, float]) -> np.ndarray:
        """BM25 score of every row for weighted query terms."""
        if not weights:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        ids = np.fromiter(weights, dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float32)
        result = np.asarray(self._matrix[:, ids] @ w, dtype=np.float32).ravel()
        nonoccurrence = getattr(self.retriever, "nonoccurrence_array", None)
        return result + float(nonoccurrence[ids] @ w) if nonoccurrence is not None else result

    def search(self, query: str, k: int, allowed: set[str] | None = None, prf: tuple[int, int, float] | None = None
               ) -> list[tuple[str, float]]:  # fmt: skip
        """(chunk_id, BM25 score), best first; only chunk ids in `allowed` when given.
        `prf` = (terms, feedback docs, original-query weight) expands the query first."""
        weights = self.query_weights(query)
        if not weights or not self.chunk_ids:
            return []
        rows = None if allowed is None else np.array(sorted(self.row[c] for c in allowed if c in self.row), dtype=np.int64)
        if rows is not None and not len(rows):
            return []
        scores = self.scores(weights)
        if prf and prf[0] > 0:
            scores = self.scores(self.expand(weights, self._top(scores, prf[1], rows), prf[0], prf[2]))
        return [(self.chunk_ids[int(r)], float(scores[r])) for r in self._top(scores, k, rows)]

    def expand(self, weights: dict[int, float], feedback: np.ndarray, terms: int, keep: float) -> dict[int, float]:
        """RM3-style expansion: feedback documents weighted by their share of the scores,
        each contributing its terms' BM25 weights (normalised per document); the best
        `terms` new terms are mixed with the original query, which keeps weight `keep`."""
        scores = self.scores(weights)[feedback]
        if not len(feedback) or scores.sum() <= 0:
            return weights
        rows = self._rows[feedback]
        lengths = np.asarray(rows.sum(axis=1)).ravel()
        doc_weight = scores / scores.sum() / np.maximum(lengths, 1e-9)
        model = np.asarray(rows.multiply(doc_weight[:, None]).sum(axis=0)).ravel()
        ranked = sorted(np.flatnonzero(model > 0), key=lambda i: (-model[i], self._terms[i]))  # ties: by term, so
        best = [int(i) for i in ranked[: terms + len(weights)]][:terms]  # runs agree whatever bm25s's vocab order
        total_q, total_e = sum(weights.values()), sum(model[i] for i in best) or 1.0
        mixed = {i: keep * w / total_q for i, w in weights.items()}
        for i in best:
            mixed[i] = mixed.get(i, 0.0) + (1 - keep) * float(model[i]) / total_e
        return mixed

    def _top(self, scores: np.ndarray, k: int, rows: np.ndarray | None) -> np.ndarray:
        """Row numbers of the k best scores (ties: lower row first), among `rows` if given."""
        pool = np.arange(len(scores)) if rows is None else rows
        values = scores[pool]
        k = min(k, len(pool))
        if k <= 0:
            return pool[:0]
        part = np.argpartition(-values, k - 1)[:k] if k < len(pool) else np.arange(len(pool))
        order = part[np.lexsort((pool[part], -values[part]))]
        return pool[order]
