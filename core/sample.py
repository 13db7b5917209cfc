"""The bundled sample corpus (sample_docs/): a fictional law firm's documents.

Top-level files form the corpus; sample_docs/updates/ holds newer versions of a few
of them (same file names) for the freshness demo; sample_docs/qa.jsonl is the
labelled QA set (see core.qa).
"""

from __future__ import annotations

import json
from pathlib import Path

from core.config import IngestConfig
from core.loaders import SUPPORTED_EXTENSIONS
from core.settings import PROJECT_ROOT
from core.store import CorpusStore, Progress
from core.types import CorpusInfo, IngestReport, SourceFile

SAMPLE_DIR = PROJECT_ROOT / "sample_docs"
SAMPLE_ID = "sample"
SAMPLE_NAME = "Sample: Harrow & Vale LLP"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)


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
