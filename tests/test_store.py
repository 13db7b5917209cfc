"""The corpus store: lifecycle, versions, restart, atomic writes and concurrency."""

from __future__ import annotations

import json
import os
import threading

import pytest

from core.errors import BadInputError, CorpusNotFoundError, StoreError
from core.store import CorpusStore
from core.types import SourceFile


def md(name: str, body: str) -> SourceFile:
    return SourceFile(name, f"# {name}\n\n{body}\n".encode())


def test_create_list_rename_delete(store):
    a = store.create("Client contracts")
    b = store.create("Client Contracts 2")
    assert (a.corpus_id, b.corpus_id) == ("client-contracts", "client-contracts-2")
    assert [c.name for c in store.list_corpora()] == ["Client contracts", "Client Contracts 2"]
    renamed = store.rename(a.corpus_id, "Vendor contracts")
    assert renamed.corpus_id == a.corpus_id and renamed.name == "Vendor contracts"
    assert store.resolve("vendor CONTRACTS").corpus_id == a.corpus_id
    store.delete(a.corpus_id)
    assert [c.corpus_id for c in store.list_corpora()] == [b.corpus_id]
    with pytest.raises(CorpusNotFoundError, match="client-contracts-2"):
        store.get(a.corpus_id)


def test_names_must_be_unique_and_non_empty(store):
    store.create("Policies")
    with pytest.raises(BadInputError, match="exists already"):
        store.create("policies")
    with pytest.raises(BadInputError, match="1 to 80 characters"):
        store.create("   ")


def test_versions_unchanged_and_history(store, config):
    cid = store.create("Versions").corpus_id
    first = store.add_files(cid, [md("nda.md", "Notice period: 30 days.")], config)
    assert [(r.name, r.version) for r in first.added] == [("nda.md", 1)]
    again = store.add_files(cid, [md("nda.md", "Notice period: 30 days.")], config)
    assert again.added == () and again.unchanged == ("nda.md",)
    newer = store.add_files(cid, [md("nda.md", "Notice period: 60 days.")], config)
    assert newer.added[0].version == 2
    assert [r.version for r in store.history(cid, "nda.md")] == [1, 2]
    assert "60 days" in store.load_document(cid, "nda.md").text
    assert "30 days" in store.load_document(cid, "nda.md", version=1).text
    assert store.original_bytes(cid, "nda.md", version=1).startswith(b"# nda.md")
    info = store.get(cid)
    assert info.revision == 2 and len(info.documents) == 1
    with pytest.raises(CorpusNotFoundError, match="has no version 7; it has 1, 2"):
        store.record(cid, "nda.md", version=7)


def test_record_counts_words_and_tokens(store, config):
    cid = store.create("Counts").corpus_id
    record = store.add_files(cid, [SourceFile("a.txt", b"one two three four")], config).added[0]
    from core.tokens import count_tokens

    assert record.words == 4
    assert record.tokens == count_tokens("one two three four", config.token_model) > 0
    assert record.token_model == "gpt-4o-mini"


def test_delete_document_removes_its_files(store, config):
    cid = store.create("Delete").corpus_id
    store.add_files(cid, [md("a.md", "alpha"), md("b.md", "beta")], config)
    store.delete_document(cid, "a.md")
    assert [d.name for d in store.get(cid).documents] == ["b.md"]
    assert len(list((store.root / cid / "docs").glob("*.json"))) == 1
    with pytest.raises(CorpusNotFoundError):
        store.load_document(cid, "a.md")


def test_restart_loses_nothing(data_dir, config):
    first = CorpusStore(data_dir)
    cid = first.create("Durable").corpus_id
    first.add_files(cid, [md("a.md", "persisted text")], config)
    second = CorpusStore(data_dir)
    assert second.get(cid).documents[0].name == "a.md"
    assert "persisted text" in second.load_document(cid, "a.md").text


def test_crash_before_manifest_write_keeps_previous_state(store, config, monkeypatch):
    cid = store.create("Crash").corpus_id
    store.add_files(cid, [md("a.md", "before")], config)
    real_replace = os.replace

    def crash(src, dst):
        if str(dst).endswith("manifest.json"):
            raise OSError("simulated power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.add_files(cid, [md("a.md", "after"), md("b.md", "new")], config)
    monkeypatch.setattr(os, "replace", real_replace)
    reopened = CorpusStore(store.root.parent)
    assert [d.name for d in reopened.get(cid).documents] == ["a.md"]
    assert "before" in reopened.load_document(cid, "a.md").text
    assert not list((store.root / cid).glob(".*.tmp")), "temporary files are cleaned up"


def test_half_created_corpus_is_never_listed(store):
    staging = store.root / ".tmp-deadbeef"
    staging.mkdir()
    (staging / "manifest.json").write_text('{"schema": 1, "corpus_id": "half"')
    assert store.list_corpora() == []


def test_corrupt_manifest_is_skipped_in_listing_and_explained_on_get(store):
    good = store.create("Good").corpus_id
    bad = store.create("Bad").corpus_id
    (store.root / bad / "manifest.json").write_text("{not json")
    assert [c.corpus_id for c in store.list_corpora()] == [good]
    with pytest.raises(StoreError, match="cannot be read"):
        store.get(bad)
    (store.root / bad / "manifest.json").write_text(json.dumps({"schema": 99}))
    with pytest.raises(StoreError, match="not a valid corpus manifest"):
        store.get(bad)


def test_concurrent_uploads_both_land(store, config):
    cid = store.create("Busy").corpus_id
    errors: list[Exception] = []

    def upload(i: int) -> None:
        try:
            store.add_files(cid, [md(f"doc{i}.md", f"content {i}")], config)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(d.name for d in store.get(cid).documents) == [f"doc{i}.md" for i in range(8)]


def test_unknown_corpus_ids_are_rejected_without_touching_paths(store):
    with pytest.raises(CorpusNotFoundError, match="not a corpus id"):
        store.get("../outside")


def test_fingerprint_tracks_content(store, config):
    cid = store.create("Print").corpus_id
    store.add_files(cid, [md("a.md", "one")], config)
    before = store.get(cid).fingerprint
    store.add_files(cid, [md("a.md", "one")], config)
    assert store.get(cid).fingerprint == before
    store.add_files(cid, [md("a.md", "two")], config)
    assert store.get(cid).fingerprint != before
