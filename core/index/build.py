"""Build or reuse the index of one corpus version for one IndexConfig.

Layout under <data dir>/indexes/<corpus id>/<config key>/: chunks/<doc id>.json (the
chunks and indexed texts of each document version) and bm25/<fingerprint>/ (BM25 over
the current version). Vectors live in the Chroma collection "<corpus id>-<config key>".
A config seen before costs only loading; a changed document costs only its own chunks.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from core.chunking import chunk_document
from core.config import IndexConfig
from core.embedding import SentenceTransformerEmbedder
from core.fsutil import atomic_write_json
from core.errors import ConfigError
from core.index.context import chunk_headers, compose, corpus_acronyms, llm_contexts, title_acronyms, with_acronyms
from core.index.complete import missing_vectors, record_complete
from core.index.dense import DenseIndex
from core.index.sparse import SparseIndex
from core.store import CorpusStore
from core.types import Chunk

Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexStats:
    documents: int
    chunks: int
    chunked_documents: int  # chunked now (not found on disk)
    embedded_chunks: int  # embedded now (not found in Chroma)
    seconds: float
    repaired: str | None = None  # what was finished after an interrupted build (core.index.complete)


@dataclass(frozen=True)
class CorpusIndex:
    """Everything retrieval needs for one corpus version and config."""

    corpus_id: str
    fingerprint: str
    config: IndexConfig
    chunks: tuple[Chunk, ...]
    indexed: tuple[str, ...]  # text as embedded (with headers if chosen for the dense side)
    dense: DenseIndex | None  # None for a BM25-only index (core.beir --mode bm25)
    sparse: SparseIndex
    embedder: SentenceTransformerEmbedder
    stats: IndexStats
    sparse_texts: tuple[str, ...] | None = None  # text as BM25-indexed, when it differs from `indexed`

    def chunk(self, chunk_id: str) -> Chunk:
        return self._by_id[chunk_id]

    @cached_property
    def _by_id(self) -> dict[str, Chunk]:
        return {c.chunk_id: c for c in self.chunks}

    @cached_property
    def doc_ids(self) -> list[str]:
        return sorted({c.doc_id for c in self.chunks})

    @cached_property
    def _in_memory(self):
        from core.index.memory import MemoryVectors

        return MemoryVectors.load(self.dense, self.chunks)

    def dense_search(self, vector, k: int, doc_ids: list[str] | None):
        """Dense search among `doc_ids`, or among this version's documents when None: in
        memory for an index of up to core.index.memory.MAX_CHUNKS chunks, else in Chroma,
        where the version filter is skipped when the collection holds no other version."""
        if (exact := self._in_memory) is not None:
            return exact.search(vector, k, doc_ids)
        if doc_ids is not None:
            return self.dense.search(vector, k, doc_ids)
        if self.__dict__.get("_exact") is None:
            object.__setattr__(self, "_exact", self.dense.collection.count() == len(self.chunks))
        if self.__dict__["_exact"]:
            found = self.dense.search(vector, k, None)
            if all(cid in self._by_id for cid, _ in found):
                return found
            object.__setattr__(self, "_exact", False)  # another version was added since
        return self.dense.search(vector, k, self.doc_ids)


def build_index(store: CorpusStore, corpus_id: str, config: IndexConfig, progress: Progress | None = None,
                generator=None) -> CorpusIndex:  # fmt: skip
    """`generator` (a generation backend for config.context_model) is needed only for
    LLM-written chunk contexts, and only for documents not indexed before."""
    if config.context_model and (generator is None or generator.name != config.context_model):
        raise ConfigError(f"LLM chunk contexts need the generation backend {config.context_model!r}; "
                          "configure it in the sidebar, or turn LLM contexts off.")  # fmt: skip
    started = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    info = store.get(corpus_id)
    root = store.root.parent / "indexes" / corpus_id / config.key
    embedder = SentenceTransformerEmbedder(config.embedder)
    chunks: list[Chunk] = []
    texts: list[str] = []
    sparse_texts: list[str] = []
    chunked = 0
    rows = []  # (chunk, header, LLM context, document title)
    for i, record in enumerate(info.documents):
        report(0.4 * i / max(len(info.documents), 1), f"Chunking {record.name}")
        cached = _load_chunks(root / "chunks" / f"{record.doc_id}.json", record.name)
        if cached is None:
            document = store.load_document(corpus_id, record.name)
            doc_chunks = chunk_document(document, config.chunk, embedder)
            contexts = llm_contexts(document, doc_chunks, generator) if config.context_model else None
            cached = (doc_chunks, chunk_headers(document, doc_chunks), contexts or [None] * len(doc_chunks))
            _save_chunks(root / "chunks" / f"{record.doc_id}.json", *cached)
            chunked += 1
        chunks.extend(cached[0])
        rows.extend((chunk, head, context, record.title) for chunk, head, context in zip(*cached))
    acronyms = _acronyms(chunks, {r.title for r in info.documents}) if config.bm25_headers and config.title_acronyms else {}
    for chunk, head, context, title in rows:
        texts.append(compose(chunk.text, head if config.dense_headers else None, context))
        bm25_head = with_acronyms(head, acronyms.get(title, [])) if config.bm25_headers else None
        sparse_texts.append(compose(chunk.text, bm25_head, context))
    dense = DenseIndex(store.root.parent, f"{corpus_id[:40]}-{config.key}")
    record = root / "complete" / f"{info.fingerprint}.json"
    todo, note = missing_vectors(dense, chunks, record)  # by chunk id, unless a completion record vouches
    if note:
        log.warning("%s: %s", corpus_id, note)
        report(0.4, note)
    if todo:
        vectors = embedder.embed([texts[i] for i in todo],
                                 progress=lambda f, m: report(0.4 + 0.55 * f, f"Embedding: {m}"))  # fmt: skip
        dense.add([chunks[i] for i in todo], vectors)
    record_complete(record, chunks)  # only now: every vector is written
    report(0.96, "BM25 index")
    sparse = _bm25(root / "bm25" / f"{info.fingerprint}-{config.bm25_key}", chunks, sparse_texts, config)
    report(1.0, "Index ready")
    stats = IndexStats(len(info.documents), len(chunks), chunked, len(todo), time.perf_counter() - started, note)
    return CorpusIndex(corpus_id, info.fingerprint, config, tuple(chunks), tuple(texts), dense, sparse, embedder, stats,
                       tuple(sparse_texts) if sparse_texts != texts else None)  # fmt: skip


def _acronyms(chunks: list[Chunk], titles: set[str]) -> dict[str, list[str]]:
    """Each title's acronyms that some chunk of the corpus writes in capitals."""
    known = corpus_acronyms(c.text for c in chunks)
    return {title: title_acronyms(title, known) for title in titles}


def _bm25(folder: Path, chunks: list[Chunk], texts: list[str], config: IndexConfig) -> SparseIndex:
    ids = [c.chunk_id for c in chunks]
    loaded = SparseIndex.load(folder)
    if loaded is not None and loaded.chunk_ids == ids and loaded.config == config.sparse:
        return loaded
    sparse = SparseIndex.build(ids, texts, config.sparse)
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    sparse.save(staging)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return sparse


def _save_chunks(path: Path, chunks: tuple[Chunk, ...], headers: list[str], contexts: list[str | None]) -> None:
    rows = [{**asdict(c), "section": list(c.section), "header": h, "context": x} for c, h, x in zip(chunks, headers, contexts)]
    atomic_write_json(path, rows)


def _load_chunks(path: Path, name: str) -> tuple[tuple[Chunk, ...], list[str], list[str | None]] | None:
    if not path.is_file():
        return None
    rows = json.loads(path.read_text("utf-8"))
    chunks = tuple(Chunk(**{**{k: v for k, v in r.items() if k not in ("header", "context")}, "doc_name": name,
                            "section": tuple(r["section"])}) for r in rows)  # fmt: skip
    return chunks, [r["header"] for r in rows], [r["context"] for r in rows]
