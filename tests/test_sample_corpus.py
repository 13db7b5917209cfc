"""The bundled sample corpus and its labelled QA set hold what later stages rely on."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pytest

from core.config import IngestConfig
from core.ingest import parse_file
from core.qa import QUESTION_TYPES, load_qa
from core.sample import SAMPLE_DIR, apply_updates, load_sample, sample_files, update_files
from core.text import collapse_whitespace
from core.types import SourceFile

QA = load_qa(SAMPLE_DIR / "qa.jsonl")


@lru_cache(maxsize=None)
def text_of(relative: str) -> str:
    path = SAMPLE_DIR / relative
    return collapse_whitespace(parse_file(SourceFile(path.name, path.read_bytes()), IngestConfig()).text)


def test_corpus_size_and_formats():
    files = sample_files()
    assert len(files) >= 20
    assert sum(len(text_of(p.name).split()) for p in files) >= 60_000
    assert {p.suffix for p in files} >= {".md", ".txt", ".pdf", ".docx", ".html"}


def test_updates_are_newer_versions_of_existing_documents():
    updates = update_files()
    assert 2 <= len(updates) <= 3
    for path in updates:
        assert (SAMPLE_DIR / path.name).exists(), f"{path.name} has no original"
        assert text_of(f"updates/{path.name}") != text_of(path.name)


def test_qa_set_shape():
    assert len(QA) >= 80
    counts = Counter(item.type for item in QA)
    assert set(counts) == set(QUESTION_TYPES), counts
    assert {item.split for item in QA} == {"train", "test"}
    names = {p.name for p in sample_files()}
    for item in QA:
        assert set(item.sources) <= names, (item.id, item.sources)
        if item.type == "out_of_corpus":
            assert not item.evidence and not item.sources, item.id
        else:
            assert item.evidence and item.sources, item.id
        if item.type == "multi_hop":
            assert len(set(item.sources)) >= 2, item.id


@pytest.mark.parametrize("item", [i for i in QA if i.evidence], ids=lambda i: i.id)
def test_every_evidence_quote_is_verbatim_in_its_sources(item):
    texts = [text_of(name) for name in item.sources]
    for quote in item.evidence:
        assert any(collapse_whitespace(quote) in text for text in texts), f"{item.id}: {quote!r}"
    if item.type == "multi_hop":
        for name in item.sources:
            assert any(collapse_whitespace(q) in text_of(name) for q in item.evidence), f"{item.id}: none from {name}"


@pytest.mark.parametrize("item", [i for i in QA if i.type == "freshness"], ids=lambda i: i.id)
def test_freshness_items_change_with_the_updates(item):
    assert item.answer_after_update and item.answer_after_update != item.answer
    (source,) = item.sources
    assert (SAMPLE_DIR / "updates" / source).exists()
    for quote in item.evidence_after_update:
        assert collapse_whitespace(quote) in text_of(f"updates/{source}"), quote
    for quote in item.evidence:
        assert collapse_whitespace(quote) not in text_of(f"updates/{source}"), quote


def test_load_sample_then_apply_updates(store, config):
    info, report = load_sample(store, config)
    assert len(info.documents) == len(sample_files()) and not report.errors
    assert info.total_words >= 60_000
    _, again = load_sample(store, config)
    assert again.added == () and len(again.unchanged) == len(sample_files())
    updated = apply_updates(store, info.corpus_id, config)
    assert sorted(r.name for r in updated.added) == sorted(p.name for p in update_files())
    assert all(r.version == 2 for r in updated.added)
    assert store.get(info.corpus_id).fingerprint != info.fingerprint
