"""Offline contextual chunk headers: situate each chunk in its document before indexing.

Header = "<title> > <section path> | <first sentence of the document>", prepended to
the chunk text for both the embedding and BM25. The chunk itself (what the reader sees
and cites) is unchanged. The LLM-written variant needs a generation backend.
"""

from __future__ import annotations

from core.chunking.sentences import sentence_spans
from core.types import Chunk, Document

_SUMMARY_CHARS = 200


def document_summary(document: Document) -> str:
    """The first sentence of the body (headings skipped), cut to 200 characters."""
    for start, end in sentence_spans(document.text[:5000]):
        sentence = document.text[start:end]
        if not sentence.startswith("#") and len(sentence.split()) >= 5:
            return sentence[:_SUMMARY_CHARS]
    return ""


def header(document: Document, chunk: Chunk, summary: str) -> str:
    path = " > ".join((document.title, *[s for s in chunk.section if s != document.title]))
    return f"{path} | {summary}" if summary else path


def indexed_texts(document: Document, chunks: tuple[Chunk, ...], contextual: bool) -> list[str]:
    """The text each chunk is embedded and BM25-indexed as."""
    if not contextual:
        return [c.text for c in chunks]
    summary = document_summary(document)
    return [f"{header(document, c, summary)}\n\n{c.text}" for c in chunks]
