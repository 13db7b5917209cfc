"""The one adapter between the playground's types and LangChain's.

Chunks and hits become LangChain `Document`s (text plus source, page, section, offsets,
ids and scores in the metadata) and back; LangChain loader output becomes a playground
`Document`; `PlaygroundEmbeddings` is the playground's embedding model as LangChain
`Embeddings`, so LangChain components embed queries exactly as the app does.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from core.types import Chunk, Hit

CHUNK_FIELDS = ("chunk_id", "doc_id", "doc_name", "index", "start", "end", "tokens", "page")


def chunk_to_lc(chunk: Chunk, text: str | None = None, **extra) -> LCDocument:
    """`chunk` as a LangChain Document; `text` replaces the page content (e.g. the text as
    indexed, with headers), `extra` adds metadata."""
    metadata = {name: getattr(chunk, name) for name in CHUNK_FIELDS}
    metadata.update(source=chunk.doc_name, section=list(chunk.section), chunk_text=chunk.text, **extra)
    return LCDocument(page_content=chunk.text if text is None else text, metadata=metadata, id=chunk.chunk_id)


def lc_to_chunk(document: LCDocument) -> Chunk:
    """A Document made by `chunk_to_lc` back as the Chunk it came from."""
    meta = document.metadata
    missing = [name for name in CHUNK_FIELDS if name not in meta]
    if missing:
        from core.errors import BadInputError

        raise BadInputError("LangChain document", f"lacks the chunk fields {', '.join(missing)}; "
                            "make documents with core.langchain_docs.chunk_to_lc.")  # fmt: skip
    fields = {name: meta[name] for name in CHUNK_FIELDS}
    return Chunk(text=meta.get("chunk_text", document.page_content), section=tuple(meta.get("section", ())), **fields)


def hit_to_lc(hit: Hit) -> LCDocument:
    return chunk_to_lc(hit.chunk, rank=hit.rank, score=hit.score, stages={n: s for n, s, _ in hit.stages})


def hits_to_lc(hits: Iterable[Hit]) -> list[LCDocument]:
    return [hit_to_lc(h) for h in hits]


def loaded_text(documents: Sequence[LCDocument], separator: str = "\n\n") -> str:
    """The text of a LangChain loader's output (one Document per record, cell or part), joined."""
    return separator.join(d.page_content for d in documents if d.page_content and d.page_content.strip())


class PlaygroundEmbeddings(Embeddings):
    """The playground's sentence-transformers embedder (bundled MiniLM by default) for LangChain."""

    def __init__(self, model: str, known: dict[str, list[float]] | None = None) -> None:
        """`known`: vectors already computed for some texts (the app's stored ones), used as they are."""
        from core.embedding import SentenceTransformerEmbedder

        self.embedder = SentenceTransformerEmbedder(model)
        self.known = known or {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.known]
        fresh = dict(zip(todo, self.embedder.embed(todo).tolist())) if todo else {}
        return [self.known.get(t) or fresh[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0].tolist()
