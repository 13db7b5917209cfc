"""The playground's retrieval as a LangChain `BaseRetriever`, and a script that uses it.

    retriever = PlaygroundRetriever(corpus="sample", index_config=IndexConfig(), retrieval_config=RetrievalConfig())
    docs = retriever.invoke("How long is the notice period?")

The index is built (or reused from the data folder) on first use. Each LangChain
Document carries the chunk text and its source, page, section, offsets and scores.
`app_parts` hands the same index's chunks, texts and stored vectors to LangChain's own
components: the exported script (core.langchain_script) builds the hybrid retriever from
langchain-community's BM25Retriever and langchain-chroma in an EnsembleRetriever.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from core.config import IndexConfig, RetrievalConfig
from core.langchain_docs import hits_to_lc


class PlaygroundRetriever(BaseRetriever):
    corpus: str
    index_config: IndexConfig = IndexConfig()
    retrieval_config: RetrievalConfig = RetrievalConfig()
    data_dir: str | None = None
    model_config = ConfigDict(arbitrary_types_allowed=True)
    _retriever: Any = PrivateAttr(default=None)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        if self._retriever is None:
            self._retriever = self._build()
        return hits_to_lc(self._retriever.retrieve(query, self.retrieval_config.top_k))

    def _build(self):
        from core.index import build_index
        from core.access import build_retriever
        from core.settings import data_dir
        from core.store import CorpusStore

        store = CorpusStore(Path(self.data_dir) if self.data_dir else data_dir())
        corpus = store.resolve(self.corpus)
        index = build_index(store, corpus.corpus_id, self.index_config)
        return build_retriever(index, corpus, self.retrieval_config)


@dataclass(frozen=True)
class AppParts:
    """What the app's index holds for one configuration, for building LangChain components
    from it: the chunks a viewer may see, the texts as embedded and as BM25-indexed, the
    stored vectors (so nothing is embedded again) and the app's BM25 tokeniser."""

    chunks: tuple
    dense_texts: tuple[str, ...]
    bm25_texts: tuple[str, ...]
    vectors: list
    tokenize: Callable[[str], list[str]]


def app_parts(corpus: str, index_config: IndexConfig, retrieval_config: RetrievalConfig,
              data_dir: str | None = None) -> AppParts:  # fmt: skip
    """Build (or reuse) the app's index and return its parts, with the retrieval config's
    document and access-tag filters applied (core.access, as the app applies them)."""
    from core.access import build_retriever
    from core.index import build_index
    from core.index.tokenize import tokenize
    from core.settings import data_dir as default_dir
    from core.store import CorpusStore

    store = CorpusStore(Path(data_dir) if data_dir else default_dir())
    info = store.resolve(corpus)
    index = build_index(store, info.corpus_id, index_config)
    allowed = build_retriever(index, info, retrieval_config).allowed_doc_ids()
    keep = [i for i, c in enumerate(index.chunks) if allowed is None or c.doc_id in set(allowed)]
    sparse_texts = index.sparse_texts or index.indexed
    stored = index.dense.collection.get(ids=[index.chunks[i].chunk_id for i in keep], include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"]))
    sparse = getattr(index_config, "sparse", None)
    words = (lambda text: tokenize(text, sparse.tokenizer, sparse.stem)) if sparse else tokenize
    return AppParts(tuple(index.chunks[i] for i in keep), tuple(index.indexed[i] for i in keep),
                    tuple(sparse_texts[i] for i in keep), [list(by_id[index.chunks[i].chunk_id]) for i in keep], words)  # fmt: skip


def langchain_script(corpus: str, index_config: IndexConfig, retrieval_config: RetrievalConfig) -> str:
    """A runnable script (from the project root) that builds the same retriever from
    LangChain parts (core.langchain_script)."""
    from core.langchain_script import script

    return script(corpus, index_config, retrieval_config)
