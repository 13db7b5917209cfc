"""The Retrieval lab's "Use this configuration in LangChain" script.

Hybrid retrieval with reciprocal rank fusion is rebuilt from LangChain's own parts:
langchain-community's `BM25Retriever` (rank_bm25, with the app's tokeniser) and a
langchain-chroma vector store (in memory, filled with the app's stored vectors, so
nothing is embedded again; queries are embedded by the app's model), fused by an
`EnsembleRetriever` with the same weights and RRF k. Dense-only and BM25-only use one of
the two. Weighted or z-score fusion, and BM25 query expansion, have no LangChain
counterpart: those configurations use core's PlaygroundRetriever instead (the script says so).
"""

from __future__ import annotations

import re

from core.config import RetrievalConfig
from core.labels import describe_index, describe_retrieval

_HEAD = '''"""Query the playground corpus {corpus!r} through LangChain with the settings chosen in the app:
  index:     {index_words}
  retrieval: {retrieval_words}
Run from the project root:  .venv/bin/python retriever_script.py "your question"   (--json: chunk ids only)
"""
import json
import sys

from core.config import {classes}

CORPUS = {corpus!r}
INDEX = {index!r}
RETRIEVAL = {retrieval!r}
'''

_LANGCHAIN = '''
from langchain_chroma import Chroma
from langchain_classic.retrievers import EnsembleRetriever
from langchain_community.retrievers import BM25Retriever

from core.langchain_docs import PlaygroundEmbeddings, chunk_to_lc
from core.langchain_retriever import app_parts

parts = app_parts(CORPUS, INDEX, RETRIEVAL)  # the app's index: chunks, texts, stored vectors (built once if missing)
bm25 = BM25Retriever.from_documents([chunk_to_lc(c, t) for c, t in zip(parts.chunks, parts.bm25_texts)],
                                    k=RETRIEVAL.candidates, preprocess_func=parts.tokenize)
# The stored vectors are handed over as known embeddings, so filling the store embeds nothing.
embeddings = PlaygroundEmbeddings(INDEX.embedder, known=dict(zip(parts.dense_texts, parts.vectors)))
store = Chroma.from_texts(list(parts.dense_texts), embeddings, ids=[c.chunk_id for c in parts.chunks],
                          metadatas=[{{"chunk_id": c.chunk_id, "source": c.doc_name}} for c in parts.chunks],
                          collection_name="playground-" + INDEX.key, collection_metadata={{"hnsw:space": "cosine"}})
dense = store.as_retriever(search_kwargs={{"k": RETRIEVAL.candidates}})
{retriever}
'''

_CORE = '''
from core.langchain_retriever import PlaygroundRetriever

# {reason}: no LangChain part fuses this way, so the playground's own retriever runs it.
retriever = PlaygroundRetriever(corpus=CORPUS, index_config=INDEX, retrieval_config=RETRIEVAL)
'''

_TAIL = '''
question = " ".join(a for a in sys.argv[1:] if a != "--json") or "What is the notice period?"
docs = retriever.invoke(question)[: RETRIEVAL.top_k]
if "--json" in sys.argv:
    print(json.dumps([d.metadata["chunk_id"] for d in docs]))
else:
    for rank, doc in enumerate(docs, start=1):
        print(rank, doc.metadata["source"], doc.metadata["chunk_id"], doc.page_content[:100].replace("\\n", " "))
'''

_MODES = {
    "hybrid": ("retriever = EnsembleRetriever(retrievers=[dense, bm25], weights=[RETRIEVAL.dense_weight, "
               "1 - RETRIEVAL.dense_weight],\n                              c=RETRIEVAL.rrf_k, id_key=\"chunk_id\")"),
    "dense": "retriever = dense",
    "bm25": "retriever = bm25",
}


def core_only_reason(config: RetrievalConfig) -> str | None:
    """Why a configuration cannot be built from LangChain parts, or None when it can."""
    if config.mode == "hybrid" and config.fusion != "rrf":
        return f"{config.fusion} fusion"
    if config.mode != "dense" and getattr(config, "prf_terms", 0):
        return "BM25 query expansion (RM3)"
    if getattr(config, "drop_flagged", False):
        return "leaving out flagged passages"
    return None


def script(corpus: str, index_config, retrieval_config: RetrievalConfig) -> str:
    classes = sorted(set(re.findall(r"\b([A-Z]\w*Config)\(", f"{index_config!r} {retrieval_config!r}")))
    head = _HEAD.format(corpus=corpus, index=index_config, retrieval=retrieval_config, classes=", ".join(classes),
                        index_words=describe_index(index_config), retrieval_words=describe_retrieval(retrieval_config))  # fmt: skip
    reason = core_only_reason(retrieval_config)
    body = _CORE.format(reason=reason[0].upper() + reason[1:]) if reason else _LANGCHAIN.format(retriever=_MODES[retrieval_config.mode])
    return head + body + _TAIL
