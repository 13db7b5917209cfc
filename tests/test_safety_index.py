"""Indexes are complete or finished: a build killed between vector write batches is
detected (no completion record, chunks missing by id) and finished by the next build, so
the next query sees every chunk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ChunkConfig, IndexConfig
from core.index import build_index
from core.types import SourceFile

ROOT = Path(__file__).resolve().parent.parent
CONFIG = IndexConfig(chunk=ChunkConfig(strategy="recursive", chunk_size=32, chunk_overlap=0))

CHILD = """
import sys, time
import core.index.dense as dense
from core.config import ChunkConfig, IndexConfig
from core.index import build_index
from core.store import CorpusStore

dense._BATCH = 8  # many small write batches, so a kill can land between two of them
original = dense.DenseIndex.__init__
def slow_init(self, *args):
    original(self, *args)
    upsert = self.collection.upsert
    def traced(**kw):
        upsert(**kw)
        print("wrote", len(kw["ids"]), flush=True)
        time.sleep(0.05)
    self.collection.upsert = traced
dense.DenseIndex.__init__ = slow_init
build_index(CorpusStore(sys.argv[1]), sys.argv[2], IndexConfig(chunk=ChunkConfig(strategy="recursive", chunk_size=32,
            chunk_overlap=0)), progress=lambda f, m: print(m, flush=True))
print("done", flush=True)
"""


def _corpus(store, config):
    cid = store.create("Crashy").corpus_id
    text = "\n\n".join(f"Clause {n}. The party shall deliver item {n} within {n + 2} days of the written request."
                       for n in range(60))  # fmt: skip
    store.add_files(cid, [SourceFile(f"contract{i}.md", f"# Contract {i}\n\n{text}".encode()) for i in range(2)], config)
    return cid


def _every_chunk_searchable(index) -> None:
    stored = set(index.dense.collection.get(ids=[c.chunk_id for c in index.chunks], include=[])["ids"])
    assert stored == {c.chunk_id for c in index.chunks}
    found = index.dense_search(index.embedder.embed(["deliver item"])[0], len(index.chunks), None)
    assert {cid for cid, _ in found} == {c.chunk_id for c in index.chunks}


def test_a_partial_index_is_finished_with_a_message(store, config):
    cid = _corpus(store, config)
    first = build_index(store, cid, CONFIG)
    assert first.stats.repaired is None and first.stats.embedded_chunks == len(first.chunks)
    victim = [c.chunk_id for c in first.chunks if c.doc_name == "contract1.md"][-5:]
    first.dense.collection.delete(ids=victim)  # what a kill between two write batches leaves
    (store.root.parent / "indexes" / cid / CONFIG.key / "complete" / f"{store.get(cid).fingerprint}.json").unlink()
    messages: list[str] = []
    second = build_index(store, cid, CONFIG, progress=lambda f, m: messages.append(m))
    assert second.stats.embedded_chunks == 5 and "5 of" in second.stats.repaired
    assert any("index was incomplete" in m for m in messages)
    _every_chunk_searchable(second)
    third = build_index(store, cid, CONFIG)  # the record now vouches: nothing to look up or embed
    assert third.stats.embedded_chunks == 0 and third.stats.repaired is None


@pytest.mark.slow
def test_killed_builds_are_finished_by_the_next_one(store, config, data_dir):
    cid = _corpus(store, config)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    landed = []
    for marker, wanted in (("Embedding", 1), ("wrote", 1), ("wrote", 4)):  # several moments
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), cid], stdout=subprocess.PIPE, text=True,
                                 env=env)  # fmt: skip
        seen = 0
        for line in child.stdout:
            seen += line.startswith(marker)
            if seen >= wanted or line.startswith("done"):
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        landed.append((marker, seen))
    index = build_index(store, cid, CONFIG)
    assert any(k == "wrote" and n >= 1 for k, n in landed), landed  # at least one kill fell between write batches
    _every_chunk_searchable(index)
