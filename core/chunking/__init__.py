"""Chunking strategies: one `Chunker.split(document) -> chunks` per strategy.

fixed_tokens and recursive use langchain-text-splitters; markdown_headers cuts at the
heading lines the loaders emit (md, docx and html headings) and splits each section
with LangChain's recursive splitter (its MarkdownHeaderTextSplitter rejoins lines, so
chunks could not be traced back to exact offsets). sentence and semantic use
core.chunking.sentences (LangChain's NLTK/spaCy splitters need data downloads, and its
SemanticChunker lives in langchain-experimental). Sizes are in
tiktoken cl100k tokens; every chunk keeps its document, page, offsets and section path.
"""

from __future__ import annotations

from typing import Protocol

from core.chunking.locate import build_chunks, section_spans, spans_from_pieces
from core.chunking.sentences import group_sentences, sentence_spans
from core.config import ChunkConfig
from core.embedding import Embedder
from core.tokens import CHUNK_ENCODING, encoding
from core.types import Chunk, Document

STRATEGY_HELP = {
    "fixed_tokens": "Windows of exactly N tokens with overlap, blind to words and sentences.",
    "recursive": "Splits on paragraphs, then lines, then words until pieces fit (LangChain's default).",
    "sentence": "Packs whole sentences up to N tokens; overlap repeats trailing sentences.",
    "markdown_headers": "Splits at headings first (md, and docx/html headings), then recursively.",
    "semantic": "Splits where the embedding similarity of neighbouring sentences drops.",
}


class Chunker(Protocol):
    def split(self, document: Document) -> tuple[Chunk, ...]: ...


class LangChainChunker:
    """fixed_tokens, recursive and markdown_headers through langchain-text-splitters."""

    def __init__(self, config: ChunkConfig) -> None:
        self.config = config

    def split(self, document: Document) -> tuple[Chunk, ...]:
        encoding()  # points tiktoken at litellm's bundled files before LangChain loads it
        from langchain_text_splitters import RecursiveCharacterTextSplitter, TokenTextSplitter

        size, overlap = self.config.chunk_size, self.config.chunk_overlap
        if self.config.strategy == "fixed_tokens":
            pieces = TokenTextSplitter(encoding_name=CHUNK_ENCODING, chunk_size=size, chunk_overlap=overlap).split_text(document.text)
            return build_chunks(document, spans_from_pieces(document.text, pieces))
        recursive = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
            encoding_name=CHUNK_ENCODING, chunk_size=size, chunk_overlap=overlap
        )
        if self.config.strategy == "recursive":
            return build_chunks(document, spans_from_pieces(document.text, recursive.split_text(document.text)))
        spans: list[tuple[int, int]] = []
        for begin, end in section_spans(document.text):
            section = document.text[begin:end]
            spans.extend((begin + s, begin + e) for s, e in spans_from_pieces(section, recursive.split_text(section)))
        return build_chunks(document, spans)


class SentenceChunker:
    """Whole sentences packed to the size limit; with an embedder, semantic breaks too."""

    def __init__(self, config: ChunkConfig, embedder: Embedder | None = None) -> None:
        if config.strategy == "semantic" and embedder is None:
            raise ValueError("the semantic strategy needs an embedder")
        self.config = config
        self.embedder = embedder

    def split(self, document: Document) -> tuple[Chunk, ...]:
        text = document.text
        spans = sentence_spans(text)
        breaks = self._semantic_breaks(text, spans) if self.config.strategy == "semantic" else None
        overlap = 0 if breaks is not None else self.config.chunk_overlap
        grouped = group_sentences(text, spans, self.config.chunk_size, overlap, breaks, self._token_windows(text))
        return build_chunks(document, grouped)

    def _semantic_breaks(self, text: str, spans: list[tuple[int, int]]) -> set[int]:
        import numpy as np

        if len(spans) < 3:
            return set()
        vectors = self.embedder.embed([text[s:e] for s, e in spans])
        distances = 1.0 - np.sum(vectors[:-1] * vectors[1:], axis=1)
        threshold = float(np.percentile(distances, self.config.semantic_percentile))
        return {i + 1 for i, d in enumerate(distances) if d > threshold}

    def _token_windows(self, text: str):
        size = max(8, self.config.chunk_size - 8)  # re-encoding a decoded window can add tokens

        def split_long(start: int, end: int) -> list[tuple[int, int]]:
            tokens = encoding().encode(text[start:end], disallowed_special=())
            pieces = [encoding().decode(tokens[i : i + size]) for i in range(0, len(tokens), size)]
            return [(start + s, start + e) for s, e in spans_from_pieces(text[start:end], pieces)]

        return split_long


def make_chunker(config: ChunkConfig, embedder: Embedder | None = None) -> Chunker:
    if config.strategy in ("sentence", "semantic"):
        return SentenceChunker(config, embedder)
    return LangChainChunker(config)


def chunk_document(document: Document, config: ChunkConfig, embedder: Embedder | None = None) -> tuple[Chunk, ...]:
    return make_chunker(config, embedder).split(document)
