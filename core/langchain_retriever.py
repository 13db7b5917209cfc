"""The playground's retrieval as a LangChain `BaseRetriever`, and a script that uses it.

    retriever = PlaygroundRetriever(corpus="sample", index_config=IndexConfig(), retrieval_config=RetrievalConfig())
    docs = retriever.invoke("How long is the notice period?")

The index is built (or reused from the data folder) on first use. Each LangChain
Document carries the chunk text and its source, page, section, offsets and scores.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from core.config import IndexConfig, RetrievalConfig


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
        hits = self._retriever.retrieve(query, self.retrieval_config.top_k)
        return [
            LCDocument(
                page_content=hit.chunk.text,
                metadata={"source": hit.chunk.doc_name, "page": hit.chunk.page, "section": list(hit.chunk.section),
                          "start": hit.chunk.start, "end": hit.chunk.end, "chunk_id": hit.chunk.chunk_id,
                          "rank": hit.rank, "score": hit.score, "stages": {n: s for n, s, _ in hit.stages}},
            )  # fmt: skip
            for hit in hits
        ]

    def _build(self):
        from core.index import build_index
        from core.access import build_retriever
        from core.settings import data_dir
        from core.store import CorpusStore

        store = CorpusStore(Path(self.data_dir) if self.data_dir else data_dir())
        corpus = store.resolve(self.corpus)
        index = build_index(store, corpus.corpus_id, self.index_config)
        return build_retriever(index, corpus, self.retrieval_config)


def langchain_script(corpus: str, index_config: IndexConfig, retrieval_config: RetrievalConfig) -> str:
    """A runnable script (from the project root) that queries the same configuration."""
    chunk = asdict(index_config.chunk)
    fields = {k: v for k, v in asdict(retrieval_config).items() if v != getattr(RetrievalConfig(), k)}
    return f'''"""Query the playground corpus {corpus!r} through LangChain with the settings chosen in the app.
Run from the project root:  .venv/bin/python retriever_script.py "your question"
"""
import sys

from core.config import ChunkConfig, IndexConfig, RetrievalConfig
from core.langchain_retriever import PlaygroundRetriever

retriever = PlaygroundRetriever(
    corpus={corpus!r},
    index_config=IndexConfig(chunk=ChunkConfig(**{chunk!r}), embedder={index_config.embedder!r},
                             contextual_headers={index_config.contextual_headers!r}),
    retrieval_config=RetrievalConfig(**{fields!r}),
)
question = " ".join(sys.argv[1:]) or "What is the notice period?"
for doc in retriever.invoke(question):
    print(doc.metadata["rank"], doc.metadata["source"], round(doc.metadata["score"], 4), doc.page_content[:100].replace("\\n", " "))
'''
