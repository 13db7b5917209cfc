"""2D projection of chunk embeddings (PCA by SVD), with the query placed in the same plane."""

from __future__ import annotations

import numpy as np

from core.index import CorpusIndex


def chunk_vectors(index: CorpusIndex) -> np.ndarray:
    """The stored vectors of the index's chunks, in chunk order."""
    ids = [c.chunk_id for c in index.chunks]
    stored = index.dense.collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"]))
    return np.array([by_id[i] for i in ids], dtype=np.float32)


def pca_2d(vectors: np.ndarray, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Project rows of `vectors` (and of `extra`, with the same axes) onto two principal axes."""
    mean = vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(vectors - mean, full_matrices=False)
    basis = axes[:2].T
    return (vectors - mean) @ basis, None if extra is None else (extra - mean) @ basis
