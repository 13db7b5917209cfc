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


def indexed_texts(document: Document, chunks: tuple[Chunk, ...], contextual: bool,
                  contexts: list[str] | None = None) -> list[str]:  # fmt: skip
    """The text each chunk is embedded and BM25-indexed as (LLM contexts, when given,
    go between the header and the chunk)."""
    if not contextual and contexts is None:
        return [c.text for c in chunks]
    summary = document_summary(document) if contextual else ""
    texts = []
    for i, chunk in enumerate(chunks):
        lead = [header(document, chunk, summary)] if contextual else []
        if contexts is not None:
            lead.append(contexts[i])
        texts.append("\n".join(lead) + "\n\n" + chunk.text)
    return texts


CONTEXT_INSTRUCTION = (
    "Here is the chunk we want to situate within the whole document\n<chunk>\n{chunk}\n</chunk>\n"
    "Please give a short succinct context (one or two sentences) to situate this chunk within the overall "
    "document for the purposes of improving search retrieval of the chunk. Answer only with the succinct "
    "context and nothing else."
)
CONTEXT_OUTPUT_TOKENS = 60  # the estimate's assumption for each reply


def context_messages(document: Document, chunk: Chunk, model: str) -> list[dict]:
    """Document first (a cacheable prefix), then the chunk. Anthropic models get an explicit
    cache_control breakpoint; OpenAI-style providers cache a repeated prefix by themselves."""
    doc_part = f"<document>\n{document.text}\n</document>"
    ask = CONTEXT_INSTRUCTION.format(chunk=chunk.text)
    if model.startswith("anthropic/") or model.startswith("claude"):
        content = [{"type": "text", "text": doc_part, "cache_control": {"type": "ephemeral"}},
                   {"type": "text", "text": ask}]  # fmt: skip
        return [{"role": "user", "content": content}]
    return [{"role": "user", "content": f"{doc_part}\n\n{ask}"}]


def llm_contexts(document: Document, chunks: tuple[Chunk, ...], generator) -> list[str]:
    """One generated context per chunk (sequential, so the provider's prefix cache warms)."""
    return [" ".join(generator.generate(context_messages(document, c, generator.name),
                                        max_tokens=CONTEXT_OUTPUT_TOKENS * 2).text.split()) for c in chunks]  # fmt: skip
