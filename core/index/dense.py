"""Dense vectors in Chroma: a PersistentClient under the data folder, or a Chroma server
when CHROMA_HOST (and CHROMA_PORT, default 8000) are set.

One collection per (corpus, index config). Chunks are stored under their document's
content hash, so a new version of one document adds only that document's chunks and
older versions stay searchable (the freshness demo compares them); queries filter to
the doc ids of the corpus version being asked.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.errors import ConfigError
from core.types import Chunk

_BATCH = 2000


@lru_cache(maxsize=4)
def chroma_client(data_dir: str):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    host = os.environ.get("CHROMA_HOST", "").strip()
    if not host:
        return chromadb.PersistentClient(path=str(Path(data_dir) / "chroma"), settings=settings)
    port = os.environ.get("CHROMA_PORT", "8000").strip()
    try:
        client = chromadb.HttpClient(host=host, port=int(port), settings=settings)
        client.heartbeat()
    except Exception as exc:  # chromadb raises several types for a dead server
        raise ConfigError(
            f"Chroma server at {host}:{port} (CHROMA_HOST/CHROMA_PORT) is not answering ({exc}). "
            "Start it with `chroma run --path DIR --port PORT`, or unset CHROMA_HOST to use the local store."
        ) from exc
    return client


class DenseIndex:
    """Add and search chunk vectors in one Chroma collection (cosine space)."""

    def __init__(self, data_dir: Path, name: str) -> None:
        self.collection = chroma_client(str(data_dir)).get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def stored_doc_ids(self, doc_ids: list[str]) -> set[str]:
        if not doc_ids:
            return set()
        found = self.collection.get(where={"doc_id": {"$in": doc_ids}}, include=["metadatas"])
        return {m["doc_id"] for m in found["metadatas"]}

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), _BATCH):
            part = chunks[start : start + _BATCH]
            self.collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + _BATCH],
                metadatas=[{"doc_id": c.doc_id, "doc_name": c.doc_name, "index": c.index} for c in part],
            )

    def search(self, vector: np.ndarray, k: int, doc_ids: list[str] | None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first, among chunks of `doc_ids` (None: all)."""
        if doc_ids is not None and not doc_ids or k <= 0:
            return []
        where = None if doc_ids is None else {"doc_id": {"$in": doc_ids}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        result = self.collection.query(query_embeddings=vector.reshape(1, -1), n_results=k, where=where,
                                       include=["distances"])  # fmt: skip
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]
