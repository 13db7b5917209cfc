"""Access control in one place: every retriever and lane context that the pages, the CLI
and evaluation use is built here, from the corpus's own document tags, so none of them
can forget the tags.

A viewer (`RetrievalConfig.viewer_tags`) sees untagged documents and documents sharing
at least one tag with them; `None` sees everything. The reranked retriever wraps the
same tag-filtered base retriever, and the long-context lane gets only the documents the
viewer may see, so no lane returns, quotes or counts the tokens of a hidden document.
This module does not authenticate anyone: the page or caller says who the viewer is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.config import RetrievalConfig
from core.errors import ConfigError
from core.types import CorpusInfo, Document

NO_RERANK: tuple[str, float, str] = ("none", 0.0, "")
MMR_RERANK: tuple[str, float, str] = ("mmr", 0.7, "")


def document_tags(corpus: CorpusInfo) -> dict[str, tuple[str, ...]]:
    """Access tags by document name, as the corpus manifest holds them."""
    return {d.name: tuple(d.tags) for d in corpus.documents}


def may_see(tags: Iterable[str], viewer: Sequence[str] | None) -> bool:
    tags = set(tags)
    return viewer is None or not tags or bool(tags & set(viewer))


def visible_documents(documents: Iterable[Document], corpus: CorpusInfo,
                      viewer: Sequence[str] | None) -> tuple[Document, ...]:  # fmt: skip
    """The documents `viewer` may see (tags looked up by name in `corpus`)."""
    tags = document_tags(corpus)
    return tuple(d for d in documents if may_see(tags.get(d.name, ()), viewer))


def build_retriever(index, corpus: CorpusInfo, config: RetrievalConfig, reranker: tuple[str, float, str] = NO_RERANK,
                    generator=None):  # fmt: skip
    """An IndexRetriever carrying the corpus's tags, composed with the chosen reranker
    (kind "none", "mmr", "cross-encoder" or "llm"; the float is MMR's lambda, the string
    the cross-encoder model)."""
    base, reranked = build_retrievers(index, corpus, config, reranker, generator)
    return reranked or base


def build_retrievers(index, corpus: CorpusInfo, config: RetrievalConfig, reranker: tuple[str, float, str] = NO_RERANK,
                     generator=None):  # fmt: skip
    """(base, reranked or None): the reranked one reranks the base one's (filtered) hits."""
    from core.injection import FlagFilter
    from core.rerank import CrossEncoderReranker, LLMReranker, MMRReranker, RerankingRetriever
    from core.retrieval import IndexRetriever

    if not isinstance(corpus, CorpusInfo):
        raise ConfigError("Retrievers are built from the corpus record (CorpusInfo), which carries the access tags.")
    base = IndexRetriever(index, config, document_tags(corpus))
    if config.drop_flagged:
        base = FlagFilter(base)
    kind, lambda_, model = reranker
    if kind == "none":
        return base, None
    if kind == "mmr":
        return base, RerankingRetriever(base, MMRReranker(index.embedder, index.dense, lambda_), config.candidates)
    if kind == "cross-encoder":
        return base, RerankingRetriever(base, CrossEncoderReranker(model), config.candidates)
    if kind == "llm":
        if generator is None:
            raise ConfigError("The LLM reranker needs a model: choose 'LLM via litellm' in the sidebar.")
        return base, RerankingRetriever(base, LLMReranker(generator), config.candidates)
    raise ConfigError(f"reranker {kind!r} is not one of none, mmr, cross-encoder, llm.")


def lane_context(index, documents: Iterable[Document], corpus: CorpusInfo, config: RetrievalConfig,
                 reranker: tuple[str, float, str] = NO_RERANK, *, reader, generator=None,
                 **fields: Any):  # fmt: skip
    """The LaneContext every lane runs with: retrievers and long-context documents both
    limited to what `config.viewer_tags` may see. `fields` are the other LaneContext
    fields (priced_as, evidence_docs, tuned, tuned_note, price_override)."""
    from core.lanes import LaneContext

    base, reranked = build_retrievers(index, corpus, config, reranker, generator)
    shown = visible_documents(documents, corpus, config.viewer_tags)
    if config.drop_flagged:  # the same filter for the long-context lane: flagged documents stay out
        from core.injection import scan

        shown = tuple(d for d in shown if not scan(d.text))
    evidence = frozenset(fields.pop("evidence_docs", ())) & {d.name for d in shown}
    return LaneContext(retriever=base, reranked=reranked, documents=shown, reader=reader, generator=generator,
                       evidence_docs=evidence, **fields)  # fmt: skip

