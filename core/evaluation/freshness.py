"""Corpus versions for scoring freshness items, without changing the stored corpus.

`variant_index(index, replacements)` is the index of the corpus with some documents
replaced by other versions (same file names): unchanged documents keep their chunks and
vectors; a replaced document is chunked with the index's config and its vectors are
added to the same Chroma collection under its content hash (as a stored new version
would be, so nothing is embedded twice), and BM25 is rebuilt over the variant's chunks.
For the sample corpus, `sample_versions` gives the original documents (sample_docs/) and
the updated ones (sample_docs/updates/), so the corpus is scored before and after the
updates whichever of them the store holds now. Then run core.evaluation.run.
evaluate_freshness with a LaneContext over each version.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

from core.chunking import chunk_document
from core.config import IngestConfig
from core.errors import ConfigError
from core.index.build import CorpusIndex, IndexStats
from core.index.context import indexed_texts
from core.index.sparse import SparseIndex
from core.ingest import parse_file
from core.types import Document, SourceFile


def parse_documents(paths: Sequence[Path], config: IngestConfig | None = None) -> list[Document]:
    """Files parsed as the store would parse them (same doc ids: content hashes)."""
    config = config or IngestConfig()
    return [parse_file(SourceFile(Path(p).name, Path(p).read_bytes()), config) for p in paths]


def sample_versions(config: IngestConfig | None = None) -> tuple[list[Document], list[Document]]:
    """(originals, updates) of the sample documents that sample_docs/updates/ changes."""
    from core.sample import SAMPLE_DIR, update_files

    updates = update_files()
    return parse_documents([SAMPLE_DIR / p.name for p in updates], config), parse_documents(updates, config)


def replace_documents(documents: Sequence[Document], replacements: Sequence[Document]) -> tuple[Document, ...]:
    """`documents` with each replacement put in place of the document of the same name
    (a replacement with a new name is added at the end)."""
    new = {d.name: d for d in replacements}
    kept = [new.pop(d.name, d) for d in documents]
    return tuple(kept + list(new.values()))


def variant_index(index: CorpusIndex, replacements: Sequence[Document]) -> CorpusIndex:
    """The index of the corpus with `replacements` swapped in (see the module docstring);
    `index` itself when every replacement is already the indexed version."""
    current = {c.doc_name: c.doc_id for c in index.chunks}
    changed = [d for d in replacements if current.get(d.name) != d.doc_id]
    if not changed:
        return index
    if index.config.context_model:
        raise ConfigError("Freshness scoring re-chunks the updated documents and cannot write LLM chunk contexts; "
                          "use an index without LLM contexts for it.")  # fmt: skip
    started = time.perf_counter()
    names = {d.name for d in changed}
    rows = [(c, t) for c, t in zip(index.chunks, index.indexed) if c.doc_name not in names]
    fresh: list[tuple] = []
    for document in changed:
        chunks = chunk_document(document, index.config.chunk, index.embedder)
        fresh.extend(zip(chunks, indexed_texts(document, chunks, index.config.dense_headers)))
    stored = index.dense.stored_doc_ids(sorted({c.doc_id for c, _ in fresh}))
    todo = [(c, t) for c, t in fresh if c.doc_id not in stored]
    if todo:
        index.dense.add([c for c, _ in todo], index.embedder.embed([t for _, t in todo]))
    rows += fresh
    chunks, texts = tuple(c for c, _ in rows), tuple(t for _, t in rows)
    pairs = sorted({f"{c.doc_name}\0{c.doc_id}" for c in chunks})
    fingerprint = hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16]
    stats = IndexStats(len({c.doc_id for c in chunks}), len(chunks), len(changed), len(todo), time.perf_counter() - started)
    return CorpusIndex(index.corpus_id, fingerprint, index.config, chunks, texts, index.dense,
                       SparseIndex.build([c.chunk_id for c in chunks], list(texts), index.config.sparse), index.embedder, stats)  # fmt: skip


def variant(index: CorpusIndex, documents: Sequence[Document],
            replacements: Sequence[Document]) -> tuple[CorpusIndex, tuple[Document, ...]]:  # fmt: skip
    """The variant index and its documents together."""
    return variant_index(index, replacements), replace_documents(documents, replacements)

