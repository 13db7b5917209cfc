"""The LangChain retriever returns the same hits as core, and the exported script runs."""

from __future__ import annotations

import subprocess
import sys

from core.config import ChunkConfig, IndexConfig, IngestConfig, RetrievalConfig
from core.index import build_index
from core.langchain_retriever import PlaygroundRetriever, langchain_script
from core.retrieval import IndexRetriever
from core.settings import PROJECT_ROOT
from core.store import CorpusStore
from core.types import SourceFile
from tests.test_index import DOCS

INDEX = IndexConfig(chunk=ChunkConfig(strategy="sentence", chunk_size=32, chunk_overlap=0))
RETRIEVAL = RetrievalConfig(mode="hybrid", top_k=3, fusion="weighted")


def make_corpus(data_dir):
    store = CorpusStore(data_dir)
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    return store, cid


def test_invoke_matches_core(data_dir):
    store, cid = make_corpus(data_dir)
    from langchain_core.retrievers import BaseRetriever

    retriever = PlaygroundRetriever(corpus="Tiny", index_config=INDEX, retrieval_config=RETRIEVAL)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("How many weeks of parental leave?")
    hits = IndexRetriever(build_index(store, cid, INDEX), RETRIEVAL).retrieve("How many weeks of parental leave?", 3)
    assert [d.metadata["chunk_id"] for d in docs] == [h.chunk.chunk_id for h in hits]
    assert docs[0].metadata["source"] == "leave.md" and "sixteen weeks" in docs[0].page_content
    assert set(docs[0].metadata["stages"]) == {"dense", "bm25", "fused"}


def test_exported_script_runs(data_dir, tmp_path):
    make_corpus(data_dir)
    script = tmp_path / "retriever_script.py"
    script.write_text(langchain_script("tiny", INDEX, RETRIEVAL))
    result = subprocess.run([sys.executable, str(script), "meal", "per", "diem"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**__import__("os").environ, "PYTHONPATH": str(PROJECT_ROOT)})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("1 expenses.md")
