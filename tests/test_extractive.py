"""The extractive reader quotes retrieved sentences with citations, or abstains."""

from __future__ import annotations

from core.config import RetrievalConfig
from core.generation.extractive import ABSTAIN, LABEL, ExtractiveReader, content_words
from core.retrieval import IndexRetriever
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


def test_quotes_the_answering_sentence_with_a_citation(index):  # noqa: F811
    _, idx = index
    hits = IndexRetriever(idx, RetrievalConfig(top_k=5)).retrieve("How many weeks of paid parental leave?", 5)
    answer = ExtractiveReader(idx.embedder).answer("How many weeks of paid parental leave?", hits)
    assert not answer.abstained and answer.generator == LABEL == "extractive reader (no LLM)"
    assert answer.text.startswith("Parental leave is sixteen weeks paid. [1]")
    cited = {c.chunk_id for c in answer.citations}
    assert cited <= {h.chunk.chunk_id for h in hits}
    for citation in answer.citations:
        assert citation.quote in idx.chunk(citation.chunk_id).text
        assert f"[{citation.marker}]" in answer.text
    assert 1 <= len(answer.citations) <= 3


def test_abstains_when_nothing_answers(index):  # noqa: F811
    _, idx = index
    hits = IndexRetriever(idx, RetrievalConfig(top_k=5)).retrieve("What is the capital city of Mongolia?", 5)
    answer = ExtractiveReader(idx.embedder).answer("What is the capital city of Mongolia?", hits)
    assert answer.abstained and answer.text == ABSTAIN and answer.citations == ()
    assert ExtractiveReader(idx.embedder).answer("anything", []).abstained


def test_content_words_drop_stopwords_and_keep_numbers():
    assert content_words("What is the $75 per diem for a trip?") == {"$75", "diem", "trip"}


def test_a_sentence_in_two_overlapping_chunks_is_quoted_once(index):  # noqa: F811
    from dataclasses import replace

    store, idx = index
    hits = IndexRetriever(idx, RetrievalConfig()).retrieve("How many weeks of paid parental leave?", 3)
    twin = replace(hits[0], chunk=replace(hits[0].chunk, chunk_id=hits[0].chunk.chunk_id + "-overlap"), rank=2)
    answer = ExtractiveReader(idx.embedder).answer("How many weeks of paid parental leave?", [hits[0], twin, *hits[1:]])
    quoted = [" ".join(c.quote.split()) for c in answer.citations]
    assert quoted and len(quoted) == len(set(quoted))
