"""CHROMA_HOST/CHROMA_PORT switch the index to a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from core.config import ChunkConfig, IndexConfig
from core.errors import ConfigError
from core.index import build_index
from core.index.dense import chroma_client
from tests.browser import free_port, running
from tests.test_index import CONFIG, corpus  # noqa: F401  (fixture)


@pytest.fixture()
def chroma_server(tmp_path, monkeypatch):
    binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if binary is None:
        pytest.fail("the chroma command is missing; it ships with the chromadb package in requirements.txt")
    port = free_port()
    command = [binary, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", tmp_path / "chroma.log"):
        monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("CHROMA_PORT", str(port))
        chroma_client.cache_clear()
        try:
            yield tmp_path / "server"
        finally:
            chroma_client.cache_clear()


def test_index_lives_on_the_server(store, corpus, chroma_server):  # noqa: F811
    index = build_index(store, corpus, CONFIG)
    hits = index.dense_search(index.embedder.embed(["parental leave"])[0], 2, None)
    assert index.chunk(hits[0][0]).doc_name == "leave.md"
    assert not (store.root.parent / "chroma").exists(), "nothing is written to the local Chroma store"
    again = build_index(store, corpus, CONFIG)
    assert again.stats.embedded_chunks == 0, "the server keeps the vectors"


def test_unreachable_server_says_how_to_fix(store, corpus, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(free_port()))
    chroma_client.cache_clear()
    try:
        with pytest.raises(ConfigError, match="is not answering.*chroma run"):
            build_index(store, corpus, IndexConfig(chunk=ChunkConfig(chunk_size=64, chunk_overlap=0)))
    finally:
        chroma_client.cache_clear()
