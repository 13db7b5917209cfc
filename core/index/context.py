"""Offline contextual chunk headers: situate each chunk in its document before indexing.

Header = "<title> > <section path> | <first sentence of the document>", prepended to
the chunk text for the embedding, BM25 or both (IndexConfig.header_target). Parts the
chunk already contains are left out (a one-chunk document gets no header), and a
document without a title gets none in its place. On the BM25 side the header can also
carry the title's acronyms that the corpus itself uses ("Mutual Non-Disclosure
Agreement" -> NDA, when some document writes "NDA"), so a question that names a
document by its acronym finds that document's chunks (IndexConfig.title_acronyms).
The chunk itself (what the reader sees and cites) is unchanged. The LLM-written variant
needs a generation backend.
"""

from __future__ import annotations

import re
from typing import Iterable

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
    """"title > section path | summary"; parts the chunk already holds are left out, and a
    document with no title gets no stand-in (an id in a header is noise)."""
    title = document.title.strip()
    sections = [s for s in chunk.section if s and s != title]
    has_title = title.lower() in chunk.text[: len(title) + 8].lower()  # "# Title" opens the chunk already
    path = " > ".join([title, *sections] if title and not has_title else sections)
    summary = "" if not summary or summary in chunk.text else summary
    return " | ".join(part for part in (path, summary) if part)


def chunk_headers(document: Document, chunks: tuple[Chunk, ...]) -> list[str]:
    """The offline header of each chunk ("" where there is nothing to add)."""
    summary = document_summary(document)
    return [header(document, chunk, summary) for chunk in chunks]


_CAPS = re.compile(r"\b[A-Z]{3,6}\b")
_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "to"})


def corpus_acronyms(texts: Iterable[str]) -> frozenset[str]:
    """All-capital words of 3-6 letters the texts use (NDA, MSA, GDPR)."""
    return frozenset(word for text in texts for word in _CAPS.findall(text))


def title_acronyms(title: str, known: frozenset[str]) -> list[str]:
    """Acronyms in `known` spelt by a run of the title's capitalised words, with or without
    the small words inside it ("Statement of Work" -> SOW). Runs stop at punctuation and at
    words already in capitals, so "Harrow & Vale LLP Leave Policy" gives no "LLP"."""
    found: list[str] = []
    for part in re.split(r"[,:;()\[\]&|>]+|\s-\s", title):
        words = [w for w in re.split(r"[\s\-/]+", part.strip()) if w]
        for i in range(len(words)):
            for j in range(i + 2, len(words) + 1):
                run = words[i:j]
                if not (run[0][:1].isupper() and run[-1][:1].isupper()) or any(w.isupper() and len(w) > 1 for w in run):
                    continue
                if any(not w[:1].isupper() and w.lower() not in _CONNECTORS for w in run):
                    continue
                for form in ("".join(w[0] for w in run), "".join(w[0] for w in run if w[:1].isupper())):
                    if form.upper() in known and form.upper() not in found:
                        found.append(form.upper())
    return found


def with_acronyms(header_text: str, acronyms: list[str]) -> str:
    """The header followed by the document's acronyms ("" stays "" when there are none)."""
    if not acronyms:
        return header_text
    return f"{header_text} | {' '.join(acronyms)}" if header_text else " ".join(acronyms)


def compose(text: str, header_text: str | None, context: str | None) -> str:
    """What is indexed: header, then LLM context, then the chunk (absent parts skipped)."""
    lead = [part for part in (header_text, context) if part]
    return "\n".join(lead) + "\n\n" + text if lead else text


def indexed_texts(document: Document, chunks: tuple[Chunk, ...], contextual: bool,
                  contexts: list[str] | None = None) -> list[str]:  # fmt: skip
    """The text each chunk is embedded and BM25-indexed as (LLM contexts, when given,
    go between the header and the chunk)."""
    headers = chunk_headers(document, chunks) if contextual else [""] * len(chunks)
    return [compose(c.text, h, contexts[i] if contexts is not None else None) for i, (c, h) in enumerate(zip(chunks, headers))]


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
