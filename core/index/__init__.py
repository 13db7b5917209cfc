"""Indexes: chunk lists on disk, vectors in Chroma, BM25 with bm25s (see build.py)."""

from core.index.build import CorpusIndex, IndexStats, build_index

__all__ = ["CorpusIndex", "IndexStats", "build_index"]
