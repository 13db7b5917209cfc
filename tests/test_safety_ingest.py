"""Ingest never loses the batch, and the store stays consistent under races and crashes:
third-party loader errors, ragged CSV, UTF-16 without a BOM, size checked before reading,
links leaving the folder, delete vs ingest, creation by name, kill -9 mid-ingest + gc,
and the small config checks (LaneConfig.top_k, chunk overlap)."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.types import SourceFile

ROOT = Path(__file__).resolve().parent.parent


def _docx_with(xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')  # fmt: skip
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')  # fmt: skip
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def test_a_bad_docx_or_a_crashing_loader_costs_only_that_file(store, config, monkeypatch):
    from core import loaders

    cid = store.create("Batch").corpus_id
    deep = "<a>" * 300 + "</a>" * 300  # lxml refuses documents nested this deep
    batch = [SourceFile("malformed.docx", _docx_with("<w:document><w:body><unclosed>")),
             SourceFile("deep.docx", _docx_with(deep)), SourceFile("fine.txt", b"The notice period is thirty days."),
             SourceFile("weird.html", b"<p>hello there world</p>")]  # fmt: skip

    def explode(name, data):
        raise RuntimeError("parser bug\nsecond line")

    monkeypatch.setitem(loaders.LOADERS, ".html", ("html", explode))
    report = store.add_files(cid, batch, config)
    assert [r.name for r in report.added] == ["fine.txt"]
    errors = {i.name: i.message for i in report.errors}
    assert set(errors) == {"malformed.docx", "deep.docx", "weird.html"}
    assert "malformed" in errors["malformed.docx"] and "\n" not in "".join(errors.values())
    assert "RuntimeError: parser bug" in errors["weird.html"]


def test_ragged_csv_keeps_its_cells_and_utf16_without_bom_is_text():
    from core.loaders.base import decode_text
    from core.loaders.csv_loader import load_csv

    loaded = load_csv("r.csv", b"name,days\nleave,20,paid,extra\nsick,10\n")
    assert "column 3: paid; column 4: extra" in loaded.text and "1 row(s) have more cells" in loaded.warnings[0]
    for encoding in ("utf-16-le", "utf-16-be"):
        text, found, warnings = decode_text("m.txt", "Notice is thirty days, café.".encode(encoding))
        assert text == "Notice is thirty days, café." and found == encoding and "without a byte-order mark" in warnings[0]
    with pytest.raises(Exception, match="binary"):
        decode_text("x.bin", bytes(range(256)) * 8)


def test_size_is_checked_before_reading_and_links_leaving_the_folder_are_refused(tmp_path, monkeypatch):
    from core.config import IngestConfig
    from core.sources import read_sources

    folder, outside = tmp_path / "in", tmp_path / "secret.txt"
    folder.mkdir()
    outside.write_text("outside the folder")
    (folder / "ok.md").write_text("# Ok\n\nfine text")
    (folder / "link.md").symlink_to(outside)
    os.symlink(folder / "ok.md", folder / "inner.md")
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(600 * 2**20)  # sparse: 600 MB on paper, nothing on disk
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    sources, issues = read_sources([folder], IngestConfig(max_file_mb=1))
    assert sorted(s.name for s in sources) == ["inner.md", "ok.md"]
    messages = {i.name: i.message for i in issues}
    assert "over the 1 MB limit" in messages["huge.txt"] and "outside the folder" in messages["link.md"]
    assert "huge.txt" not in read and "link.md" not in read


def test_delete_during_ingest_never_leaves_a_manifest_without_its_files(store, config):
    cid = store.create("Race").corpus_id
    store.add_files(cid, [SourceFile("keep.txt", b"always here text")], config)
    stop = time.time() + 6
    failures: list[BaseException] = []

    def ingest():
        n = 0
        while time.time() < stop:
            n += 1
            store.add_files(cid, [SourceFile(f"f{n % 3}.txt", f"version {n} of the text".encode())], config)

    def delete():
        while time.time() < stop:
            for name in ("f0.txt", "f1.txt", "f2.txt"):
                try:
                    store.delete_document(cid, name)
                except Exception as exc:  # noqa: BLE001 - only 'no such document' is expected
                    if "No document" not in str(exc):
                        failures.append(exc)

    threads = [threading.Thread(target=ingest), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    assert len(store.load_documents(cid)) == len(store.get(cid).documents) >= 1


def test_a_delete_during_a_slow_content_write_waits_for_it(store, config, monkeypatch):
    from core.store import CorpusStore

    cid = store.create("Slow disk").corpus_id
    store.add_files(cid, [SourceFile("a.txt", b"first document text"), SourceFile("b.txt", b"second document text")],
                    config)  # fmt: skip
    original = CorpusStore._write_content
    writing = threading.Event()

    def slow(folder, doc, data):
        original(folder, doc, data)
        writing.set()
        time.sleep(0.5)  # the window in which a delete used to remove the files just written

    monkeypatch.setattr(CorpusStore, "_write_content", staticmethod(slow))
    ingest = threading.Thread(target=lambda: store.add_files(cid, [SourceFile("c.txt", b"third document text")], config))
    ingest.start()
    assert writing.wait(timeout=120)
    store.delete_document(cid, "b.txt")
    ingest.join(timeout=120)
    assert [d.name for d in store.load_documents(cid)] == ["a.txt", "c.txt"]


def test_two_renames_to_one_name_leave_one_corpus_with_it(store):
    first, second = store.create("First").corpus_id, store.create("Second").corpus_id
    outcomes: list[str] = []

    def rename(cid):
        try:
            store.rename(cid, "Same name")
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=rename, args=(cid,)) for cid in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["BadInputError", "ok"]
    assert sorted(c.name for c in store.list_corpora()).count("Same name") == 1


def test_creating_one_name_at_once_makes_one_corpus(store, data_dir):
    script = ("import sys; from core.store import CorpusStore; s = CorpusStore(sys.argv[1]); "
              "print(s.ensure('Shared name').corpus_id)")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(4)]  # fmt: skip
    ids = {p.communicate(timeout=300)[0].strip() for p in procs}
    assert len(ids) == 1 and [c.name for c in store.list_corpora()] == ["Shared name"]
    threads = [threading.Thread(target=lambda: store.ensure("Thread name")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(c.name for c in store.list_corpora()) == ["Shared name", "Thread name"]


CHILD = """
import sys
from core.config import IngestConfig
from core.store import CorpusStore
from core.types import SourceFile
store = CorpusStore(sys.argv[1])
cid = store.ensure("Crash").corpus_id
n = 0
while True:
    batch = [SourceFile(f"doc{i}.md", f"# Doc {i}\\n\\nbatch {n} text {i} ".encode() * 50) for i in range(25)]
    store.add_files(cid, batch, IngestConfig())
    n += 1
    print("batch", n, flush=True)
"""


def _consistent(store, cid) -> list[str]:
    folder = store.root / cid
    manifest = json.loads((folder / "manifest.json").read_text())
    referenced = {v["doc_id"] for e in manifest["documents"] for v in e["versions"]}
    files = [p for p in folder.rglob("*") if p.is_file()]
    stray = [p.name for p in files if p.name != "manifest.json" and p.name.split(".")[0] not in referenced]
    return stray + [p.name for p in files if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_a_loadable_corpus_and_gc_frees_the_leftovers(data_dir):
    from core.store import CorpusStore

    rng = random.Random(3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(4):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout.readline().startswith("batch"), "the ingest child never finished a batch"
        time.sleep(rng.uniform(0.0, 1.5))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        store = CorpusStore(data_dir)  # opening sweeps
        cid = store.resolve("Crash").corpus_id
        assert _consistent(store, cid) == [], attempt
        assert len(store.load_documents(cid)) == 25
    folder = data_dir / "corpora" / cid
    (folder / "docs" / "deadbeefdeadbeef.json").write_text("{}" * 500)  # what a kill between content and manifest leaves
    (folder / "originals" / ".x.md.1234abcd.tmp").write_bytes(b"half")
    (folder / ".manifest.json.5678abcd.tmp").write_bytes(b"{")
    store = CorpusStore(data_dir)
    assert store.freed.files == 3 and store.freed.bytes == 1005 and "1.0 KiB freed" in store.freed.message
    assert _consistent(store, cid) == []
    (folder / "docs" / "feedfacefeedface.json").write_text("{}")
    out = subprocess.run([sys.executable, "-m", "core", "gc", "--json"], capture_output=True, text=True, cwd=ROOT,
                         env={**env, "PLAYGROUND_DATA_DIR": str(data_dir)}, timeout=300)  # fmt: skip
    assert json.loads(out.stdout)["files"] == 1, out.stderr


def test_small_config_checks():
    from core.config import ChunkConfig
    from core.lanes import LaneConfig

    for bad in (-3, 0, 101, 2.5, True):
        with pytest.raises(ConfigError, match="top_k"):
            LaneConfig("rag", top_k=bad)
    with pytest.raises(ConfigError, match="over half of chunk_size=256"):
        ChunkConfig(chunk_size=256, chunk_overlap=255)
    assert ChunkConfig(chunk_size=256, chunk_overlap=128).chunk_overlap == 128
