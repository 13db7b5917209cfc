"""Typed, immutable values passed between layers.

Files become `Document`s (ingestion), documents are stored as `DocumentRecord`
versions inside a `CorpusInfo` (the corpus store). Later stages add Chunk, Hit,
Answer and LaneResult here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

Format = str  # one of core.loaders.FORMATS: "txt", "md", "pdf", "docx", "html", "csv"


@dataclass(frozen=True)
class SourceFile:
    """Raw bytes of one file as uploaded or read from disk."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Page:
    """A page of a paged document: its number (1-based) and its span in the text."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """The normalised text of one file plus what is known about where it came from.

    `doc_id` is the content hash of the original bytes, so the same file always gets
    the same id. `pages` is empty for formats without pages (txt, md, html, docx, csv).
    """

    doc_id: str
    name: str
    title: str
    format: Format
    text: str = field(repr=False)
    size_bytes: int
    pages: tuple[Page, ...] = ()
    encoding: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def page_count(self) -> int | None:
        return len(self.pages) or None

    def page_at(self, offset: int) -> int | None:
        """The page number holding character `offset`, or None for unpaged formats."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].end else None


def content_id(data: bytes) -> str:
    """Stable document id: the first 16 hex digits of the SHA-256 of the bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class DocumentRecord:
    """One stored version of a document, as listed in a corpus manifest."""

    name: str
    version: int
    doc_id: str
    title: str
    format: Format
    size_bytes: int
    pages: int | None
    words: int
    tokens: int
    token_model: str
    added_at: str
    encoding: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusInfo:
    """A corpus and the current version of each of its documents."""

    corpus_id: str
    name: str
    created_at: str
    updated_at: str
    revision: int
    documents: tuple[DocumentRecord, ...]

    @property
    def fingerprint(self) -> str:
        """Hash of the current document versions: equal fingerprints mean equal content."""
        parts = sorted(f"{d.name}\0{d.doc_id}" for d in self.documents)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    @property
    def total_words(self) -> int:
        return sum(d.words for d in self.documents)

    @property
    def total_tokens(self) -> int:
        return sum(d.tokens for d in self.documents)

    def document(self, name: str) -> DocumentRecord | None:
        return next((d for d in self.documents if d.name == name), None)


@dataclass(frozen=True)
class IngestIssue:
    """A file that could not be ingested (level "error") or was ingested with a caveat."""

    name: str
    message: str
    level: str = "error"


@dataclass(frozen=True)
class IngestReport:
    """What one upload did: documents added (new or new versions), unchanged, rejected."""

    added: tuple[DocumentRecord, ...] = ()
    unchanged: tuple[str, ...] = ()
    issues: tuple[IngestIssue, ...] = ()

    @property
    def errors(self) -> tuple[IngestIssue, ...]:
        return tuple(i for i in self.issues if i.level == "error")

    @property
    def warnings(self) -> tuple[IngestIssue, ...]:
        return tuple(i for i in self.issues if i.level == "warning")


@dataclass(frozen=True)
class Chunk:
    """A span of one document version, as indexed and retrieved.

    `start`/`end` are character offsets into the document's text; `section` is the
    heading path above `start`; `tokens` counts the chunk text (cl100k tokenizer).
    """

    chunk_id: str
    doc_id: str
    doc_name: str
    index: int
    text: str
    start: int
    end: int
    tokens: int
    page: int | None = None
    section: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its final rank and the score and rank from each stage.

    stages maps a stage name ("dense", "bm25", "fused", "rerank") to (score, rank);
    a stage that did not see the chunk is absent.
    """

    chunk: Chunk
    score: float
    rank: int
    stages: tuple[tuple[str, float, int], ...] = ()

    def stage(self, name: str) -> tuple[float, int] | None:
        return next(((s, r) for n, s, r in self.stages if n == name), None)


@dataclass(frozen=True)
class TokenUsage:
    """Tokens of one model call. `source` says where the numbers come from: "provider"
    (reported by the API) or "litellm.token_counter" (counted locally)."""

    prompt_tokens: int
    completion_tokens: int
    cached_prompt_tokens: int = 0
    source: str = "provider"

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Generation:
    """A model's reply with its token usage and wall-clock seconds."""

    text: str
    model: str
    usage: TokenUsage
    seconds: float


@dataclass(frozen=True)
class Citation:
    """Marker [n] in an answer, pointing at the chunk (and the sentence) it came from."""

    marker: int
    chunk_id: str
    doc_name: str
    page: int | None
    quote: str


@dataclass(frozen=True)
class Answer:
    """An answer with its citations; `generator` names what produced it."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    generator: str
    usage: TokenUsage | None = None
