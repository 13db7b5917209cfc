"""The exported LangChain script: BM25Retriever + langchain-chroma in an EnsembleRetriever
gives the app's hybrid hits on the sample corpus; the Document adapter round-trips."""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys

import pytest

from core.config import IndexConfig, RetrievalConfig
from core.langchain_docs import PlaygroundEmbeddings, chunk_to_lc, hits_to_lc, lc_to_chunk
from core.langchain_retriever import langchain_script
from core.settings import PROJECT_ROOT
from tests.test_app import with_sample

QUESTIONS = ["How much notice does either side need to give to terminate the Bluefin NDA?",
             "What is our standard billing rate for a first-year associate?",
             "Who owns the intellectual property in the deliverables?"]  # fmt: skip


def app_hits(store, question: str, config: RetrievalConfig) -> list[str]:
    from core.access import build_retriever
    from core.index import build_index

    retriever = build_retriever(build_index(store, "sample", IndexConfig()), store.get("sample"), config)
    return [h.chunk.chunk_id for h in retriever.retrieve(question, config.top_k)]


def assert_close(script: list[str], app: list[str], question: str) -> None:
    """Same top hit and at least 4 of the 5 hits: LangChain's BM25Retriever scores with rank_bm25's
    Okapi IDF and the app with bm25s's Lucene IDF, so near-ties can swap lower down."""
    assert script[0] == app[0] and len(set(script) & set(app)) >= len(app) - 1, (question, script, app)


@pytest.mark.slow
def test_exported_ensemble_script_matches_the_app(data_dir, tmp_path):
    store = with_sample(data_dir)
    config = RetrievalConfig(fusion="rrf")  # LangChain's EnsembleRetriever fuses by weighted RRF only
    text = langchain_script("sample", IndexConfig(), config)
    assert "EnsembleRetriever(" in text and "BM25Retriever.from_documents" in text and "Chroma.from_texts" in text
    script = tmp_path / "retriever_script.py"
    script.write_text(text)
    question = "What is the daily meal per diem for domestic business travel?"
    result = subprocess.run([sys.executable, str(script), question, "--json"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert_close(json.loads(result.stdout.strip().splitlines()[-1]), app_hits(store, question, config), question)
    for question in QUESTIONS:  # more questions in this process (the model is loaded once)
        out = io.StringIO()
        sys_argv, sys.argv = sys.argv, [str(script), question, "--json"]
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(str(script), run_name="__main__")
        finally:
            sys.argv = sys_argv
        assert_close(json.loads(out.getvalue().strip().splitlines()[-1]), app_hits(store, question, config), question)


def test_weighted_fusion_says_it_runs_through_core():
    text = langchain_script("sample", IndexConfig(), RetrievalConfig(fusion="weighted"))
    assert "EnsembleRetriever" not in text and "Weighted fusion: no LangChain part fuses this way" in text
    assert "retriever = PlaygroundRetriever(" in text
    assert "BM25Retriever" in langchain_script("sample", IndexConfig(), RetrievalConfig(mode="bm25"))


def test_document_adapter_round_trips():
    from core.types import Chunk, Hit

    chunk = Chunk("c1", "d1", "policy.md", 3, "Staff get 16 weeks.", 10, 29, 6, page=2, section=("Leave", "Parental"))
    doc = chunk_to_lc(chunk, "Leave > Parental\nStaff get 16 weeks.")
    assert doc.page_content.startswith("Leave > Parental") and doc.metadata["source"] == "policy.md"
    assert lc_to_chunk(doc) == chunk
    (hit_doc,) = hits_to_lc([Hit(chunk, 0.5, 1, (("dense", 0.5, 1),))])
    assert hit_doc.metadata["rank"] == 1 and hit_doc.metadata["stages"] == {"dense": 0.5}
    from langchain_core.documents import Document

    with pytest.raises(Exception, match="chunk_to_lc"):
        lc_to_chunk(Document(page_content="x", metadata={"source": "a"}))


def test_known_vectors_are_not_embedded_again():
    embeddings = PlaygroundEmbeddings("all-MiniLM-L6-v2", known={"stored text": [0.25, 0.5]})
    assert embeddings.embed_documents(["stored text", "stored text"]) == [[0.25, 0.5], [0.25, 0.5]]
