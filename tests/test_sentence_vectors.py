"""Prepared sentence vectors (core.index.sentences): readers of one index share them, so a
second reader embeds only its question; stale or half-written stores are never used."""

from __future__ import annotations

import hashlib
import os
import uuid
from types import SimpleNamespace

import numpy as np
import pytest

from core.embedding import forget_shared, shared_cache
from core.generation.extractive import ExtractiveReader
from core.index.sentences import index_sentences, load_store, prepare_sentences, store_path
from core.types import Chunk, Hit

TEXTS = ["The meal per diem for domestic travel is 75 dollars. Receipts are needed above 25 dollars.",
         "Employees get sixteen weeks of paid parental leave. The leave can start before the birth.",
         "# Heading only\nEither party may end the agreement on thirty days written notice."]  # fmt: skip


class CountingEmbedder:
    """Deterministic unit vectors (from a hash of the text); records every text it embeds."""

    def __init__(self, name: str) -> None:
        self.name, self.texts = name, []

    def embed(self, texts, progress=None):
        self.texts.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) + 1 for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32).reshape(len(texts), 16)


def _index(embedder, texts=TEXTS, fingerprint="v1"):
    chunks = tuple(Chunk(f"d{i}:0", f"d{i}", f"doc{i}.md", 0, t, 0, len(t), len(t.split())) for i, t in enumerate(texts))
    return SimpleNamespace(chunks=chunks, embedder=embedder, corpus_id="c", fingerprint=fingerprint,
                           config=SimpleNamespace(key="k1"))  # fmt: skip


@pytest.fixture()
def embedder():
    fake = CountingEmbedder(f"counting-{uuid.uuid4().hex[:8]}")  # its own shared cache
    yield fake
    forget_shared(fake.name)


def test_readers_of_one_index_share_the_prepared_vectors(tmp_path, embedder):
    index = _index(embedder)
    ready = prepare_sentences(tmp_path, index)
    sentences = index_sentences(index.chunks)
    assert ready.sentences == len(sentences) == 5 and ready.embedded == 5 and sorted(embedder.texts) == sorted(sentences)
    assert not any(s.startswith("#") for s in sentences)
    hits = [Hit(c, 1.0, r) for r, c in enumerate(index.chunks, start=1)]
    for question in ("How much is the meal per diem?", "How long is parental leave?"):
        embedder.texts.clear()
        ExtractiveReader(embedder).answer(question, hits)  # a new reader, as each session's would be
        assert embedder.texts == [question]  # only the question: every sentence came prepared
    forget_shared(embedder.name)  # a new process: the vectors come from the file, nothing is embedded
    embedder.texts.clear()
    again = prepare_sentences(tmp_path, index)
    assert again.embedded == 0 and embedder.texts == [] and again.path == ready.path
    assert np.allclose(shared_cache(embedder).vectors(sentences), CountingEmbedder("x").embed(sentences))


def test_text_outside_the_store_is_embedded_on_the_fly(tmp_path, embedder):
    prepare_sentences(tmp_path, _index(embedder))
    embedder.texts.clear()
    other = "A document the index never held says the office closes at noon on Fridays."
    document = Chunk("doc:doc", "doc", "other.md", 0, other, 0, len(other), 12)
    ExtractiveReader(embedder).answer("When does the office close?", [Hit(document, 0.0, 1)])
    assert sorted(embedder.texts) == sorted(["When does the office close?", other])


def test_stale_vectors_are_not_reused_after_the_corpus_or_embedder_changes(tmp_path, embedder):
    first = prepare_sentences(tmp_path, _index(embedder))
    edited = [TEXTS[0].replace("75", "80"), *TEXTS[1:]]
    forget_shared(embedder.name)
    embedder.texts.clear()
    same_name = prepare_sentences(tmp_path, _index(embedder, edited))  # same path, other sentences: digest differs
    assert same_name.path == first.path and same_name.embedded == 5 and len(embedder.texts) == 5
    assert load_store(first.path, embedder.name, index_sentences(_index(embedder).chunks)) is None
    other = CountingEmbedder(f"{embedder.name}-other")
    try:
        moved = prepare_sentences(tmp_path, _index(other, edited))
        assert moved.path != first.path and moved.embedded == 5 and len(other.texts) == 5
        assert load_store(first.path, other.name, index_sentences(_index(other, edited).chunks)) is None
    finally:
        forget_shared(other.name)


def test_a_half_written_store_is_never_loaded(tmp_path, embedder, monkeypatch):
    index = _index(embedder)
    path = prepare_sentences(tmp_path, index).path
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # as a write cut short would leave it (were it not atomic)
    assert load_store(path, embedder.name, index_sentences(index.chunks)) is None
    forget_shared(embedder.name)
    embedder.texts.clear()
    assert prepare_sentences(tmp_path, index).embedded == 5 and path.read_bytes() != whole[: len(whole) // 2]
    assert load_store(path, embedder.name, index_sentences(index.chunks)) is not None

    path.unlink()  # a crash between writing the temporary file and renaming it: nothing is published
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(OSError, match="killed"):
        prepare_sentences(tmp_path, _index(embedder, fingerprint="v2"))
    assert not store_path(tmp_path, _index(embedder, fingerprint="v2")).exists()
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_warm_up_cap_embeds_nothing_but_still_loads_saved_vectors(tmp_path, embedder, monkeypatch):
    from ui.warmup import warm_sentences

    index = _index(embedder)
    assert prepare_sentences(tmp_path, index, max_sentences=4) is None and embedder.texts == []  # 5 > 4: left to the reader
    prepare_sentences(tmp_path, index)
    forget_shared(embedder.name)
    embedder.texts.clear()
    assert prepare_sentences(tmp_path, index, max_sentences=0).embedded == 0 and embedder.texts == []  # saved: loaded
    monkeypatch.setenv("PLAYGROUND_WARM_SENTENCES", "0")
    assert warm_sentences() == 0
    monkeypatch.setenv("PLAYGROUND_WARM_SENTENCES", "lots")
    assert warm_sentences() == 20_000
