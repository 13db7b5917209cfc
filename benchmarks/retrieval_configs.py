"""The configurations bench_retrieval.py scores (the Retrieval lab's options)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.config import IndexConfig, RetrievalConfig


@dataclass(frozen=True)
class BenchConfig:
    name: str
    retrieval: dict = field(default_factory=dict)
    headers: bool = False
    reranker: str = "none"

    def index_config(self) -> IndexConfig:
        return IndexConfig(contextual_headers=self.headers)

    def retriever(self, index):
        from core.rerank import MMRReranker, RerankingRetriever
        from core.retrieval import IndexRetriever

        config = RetrievalConfig(**{"top_k": 20, "candidates": 100, **self.retrieval})
        base = IndexRetriever(index, config)
        if self.reranker == "mmr":
            return RerankingRetriever(base, MMRReranker(index.embedder, index.dense, 0.7), config.candidates)
        return base


CONFIGS = [
    BenchConfig("dense", {"mode": "dense"}),
    BenchConfig("bm25", {"mode": "bm25"}),
    BenchConfig("hybrid rrf", {"mode": "hybrid", "fusion": "rrf"}),
    BenchConfig("hybrid weighted", {"mode": "hybrid", "fusion": "weighted"}),
    BenchConfig("hybrid rrf + mmr", {"mode": "hybrid", "fusion": "rrf"}, reranker="mmr"),
    BenchConfig("dense + headers", {"mode": "dense"}, headers=True),
    BenchConfig("bm25 + headers", {"mode": "bm25"}, headers=True),
    BenchConfig("hybrid rrf + headers", {"mode": "hybrid", "fusion": "rrf"}, headers=True),
]
