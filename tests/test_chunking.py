"""Chunking strategies: offsets, sizes, overlap, sections, pages, semantic breaks."""

from __future__ import annotations

import numpy as np
import pytest

from core.chunking import chunk_document
from core.chunking.sentences import sentence_spans
from core.config import ChunkConfig, IngestConfig
from core.errors import ConfigError
from core.ingest import parse_file
from core.sample import SAMPLE_DIR
from core.types import SourceFile

STRATEGIES = ["fixed_tokens", "recursive", "sentence", "markdown_headers", "semantic"]


class TopicEmbedder:
    """Deterministic stand-in: one axis per topic word, so topic changes are obvious."""

    name = "topic-test"
    TOPICS = ("cat", "invoice", "holiday")

    def embed(self, texts, progress=None):
        vectors = np.array([[t.lower().count(w) + 0.01 for w in self.TOPICS] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def sample(name: str):
    path = SAMPLE_DIR / name
    return parse_file(SourceFile(name, path.read_bytes()), IngestConfig())


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("name", ["master_services_agreement.docx", "saas_subscription_agreement.pdf", "one_way_nda.txt"])
def test_chunk_invariants(strategy, name):
    document = sample(name)
    config = ChunkConfig(strategy=strategy, chunk_size=200, chunk_overlap=20)
    chunks = chunk_document(document, config, TopicEmbedder())
    assert chunks
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.text == document.text[chunk.start : chunk.end] and chunk.text.strip()
        assert chunk.doc_id == document.doc_id and chunk.doc_name == name
        assert chunk.tokens <= config.chunk_size + 3, (chunk.tokens, chunk.text[:80])
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    covered = np.zeros(len(document.text), dtype=bool)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = True
    letters = np.array([not ch.isspace() for ch in document.text])
    assert covered[letters].mean() > 0.97
    if document.pages:
        assert all(c.page is not None for c in chunks)
        assert chunks[-1].page >= document.pages[-1].number - 1
        assert {c.page for c in chunks} >= {p.number for p in document.pages[:-1]}


def test_sections_follow_headings():
    chunks = chunk_document(sample("master_services_agreement.docx"), ChunkConfig(strategy="markdown_headers"))
    assert chunks[0].section == ("Master Services Agreement",)
    assert any(len(c.section) == 2 and c.section[1].startswith("1.") for c in chunks)


def test_overlap_repeats_text_between_neighbours():
    document = sample("one_way_nda.txt")
    for strategy in ("recursive", "fixed_tokens", "sentence"):
        chunks = chunk_document(document, ChunkConfig(strategy=strategy, chunk_size=128, chunk_overlap=40))
        assert any(b.start < a.end for a, b in zip(chunks, chunks[1:])), strategy
        none = chunk_document(document, ChunkConfig(strategy=strategy, chunk_size=128, chunk_overlap=0))
        assert len(none) <= len(chunks)


def test_sentence_segmenter_knows_abbreviations():
    text = "Northwind Analytics, Inc. signed on May 1, 2025. The fee is $5.50 per user. See Section 4.2 of the MSA.\n\n# Heading\nNext."
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Northwind Analytics, Inc. signed on May 1, 2025.",
        "The fee is $5.50 per user.",
        "See Section 4.2 of the MSA.",
        "# Heading",
        "Next.",
    ]


def test_semantic_splits_where_the_topic_changes():
    text = " ".join(["The cat sat on the mat."] * 6 + ["The invoice is due in 45 days."] * 6 + ["The holiday starts on Monday."] * 6)
    document = parse_file(SourceFile("topics.txt", text.encode()), IngestConfig())
    chunks = chunk_document(document, ChunkConfig(strategy="semantic", chunk_size=500, semantic_percentile=80), TopicEmbedder())
    assert [c.text.split()[1] for c in chunks] == ["cat", "invoice", "holiday"]


def test_semantic_needs_an_embedder_and_configs_are_validated():
    with pytest.raises(ValueError, match="needs an embedder"):
        chunk_document(sample("one_way_nda.txt"), ChunkConfig(strategy="semantic"))
    with pytest.raises(ConfigError, match="strategy='words' is not one of"):
        ChunkConfig(strategy="words")
    with pytest.raises(ConfigError, match="chunk_overlap=300"):
        ChunkConfig(chunk_size=256, chunk_overlap=300)
    assert hash(ChunkConfig()) == hash(ChunkConfig())
