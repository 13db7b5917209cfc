"""Exact in-memory dense search (core.index.memory) returns what Chroma returns on a small
collection, honours the document filter, and steps aside when vectors are missing."""

from __future__ import annotations

import numpy as np

from core.index.dense import DenseIndex
from core.index.memory import MemoryVectors
from core.types import Chunk


def _chunks(n: int) -> tuple[Chunk, ...]:
    return tuple(Chunk(f"d{i % 5}:{i}", f"d{i % 5}", f"doc{i % 5}.md", i, f"text {i}", 0, 6, 2) for i in range(n))


def test_memory_search_matches_chroma_and_filters_by_document(tmp_path):
    rng = np.random.default_rng(7)
    chunks = _chunks(40)
    vectors = rng.normal(size=(40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex(tmp_path, "memory-test")
    dense.add(list(chunks), vectors)
    memory = MemoryVectors.load(dense, chunks)
    assert memory is not None and memory.matrix.shape == (40, 16)
    for _ in range(5):
        query = rng.normal(size=16).astype(np.float32)
        query /= np.linalg.norm(query)
        for doc_ids, k in ((None, 10), (["d1", "d3"], 5), (["d2"], 50)):
            ours, theirs = memory.search(query, k, doc_ids), dense.search(query, k, doc_ids)
            assert [c for c, _ in ours] == [c for c, _ in theirs]
            assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert all(c.split(":")[0] == "d2" for c, _ in memory.search(vectors[0], 50, ["d2"])) and memory.search(vectors[0], 5, []) == []
    assert MemoryVectors.load(dense, _chunks(41)) is None  # a chunk without a vector: Chroma stays in charge
