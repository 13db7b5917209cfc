"""Completion records: an index build is complete only when every vector is written.

A build writes `complete/<corpus fingerprint>.json` (the count and a hash of the
expected chunk ids) after the last vector batch and the BM25 index are saved. Opening an
index with a matching record trusts it; without one (first build, or a build killed
between vector batches) every chunk id is looked up in Chroma and only the missing ones
are embedded, with a message saying how many an interrupted build left out. Checking is
by chunk id, so a document with some of its chunks stored counts as incomplete.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from core.fsutil import atomic_write_json
from core.types import Chunk

_LOOKUP_BATCH = 2000


def _digest(chunks: list[Chunk]) -> str:
    return hashlib.sha256("\n".join(sorted(c.chunk_id for c in chunks)).encode()).hexdigest()


def is_recorded(record: Path, chunks: list[Chunk]) -> bool:
    try:
        data = json.loads(record.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("count") == len(chunks) and data.get("chunk_ids_sha256") == _digest(chunks)


def missing_vectors(dense, chunks: list[Chunk], record: Path) -> tuple[list[int], str | None]:
    """(positions of chunks without a vector, a message when an earlier build was cut short)."""
    if is_recorded(record, chunks):
        return [], None
    ids = [c.chunk_id for c in chunks]
    stored: set[str] = set()
    for start in range(0, len(ids), _LOOKUP_BATCH):
        stored.update(dense.collection.get(ids=ids[start : start + _LOOKUP_BATCH], include=[])["ids"])
    todo = [i for i, cid in enumerate(ids) if cid not in stored]
    partial = {chunks[i].doc_id for i in todo} & {c.doc_id for c in chunks if c.chunk_id in stored}
    note = None
    if partial:
        note = (f"The index was incomplete ({len(todo)} of {len(chunks)} chunks had no vector; an earlier build was "
                f"interrupted). Finishing it: embedding only the missing chunks.")  # fmt: skip
    return todo, note


def record_complete(record: Path, chunks: list[Chunk]) -> None:
    """Called after every vector and the BM25 index are written."""
    atomic_write_json(record, {"count": len(chunks), "chunk_ids_sha256": _digest(chunks)})
