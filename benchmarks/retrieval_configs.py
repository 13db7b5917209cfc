"""The configurations bench_retrieval.py scores: every option the Retrieval lab offers,
each changed from the lab's defaults (core.config), plus the settings before issue 13
("old ...": recursive chunks, words tokens without stemming, RRF over 30 candidates) and
the defaults before sentence chunks, title acronyms and dense weight 0.3 ("previous
default") for comparison."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.config import ChunkConfig, IndexConfig, RetrievalConfig, SparseConfig

RECURSIVE = {"chunk": ChunkConfig(strategy="recursive", chunk_size=256, chunk_overlap=32)}
OLD_SPARSE = {"tokenizer": "words", "stem": False}
OLD_RETRIEVAL = {"fusion": "rrf", "dense_weight": 0.5, "rrf_k": 60, "prf_terms": 0, "candidates": 30}


@dataclass(frozen=True)
class BenchConfig:
    name: str
    retrieval: dict = field(default_factory=dict)
    sparse: dict = field(default_factory=dict)
    headers: str | None = None  # off, both, dense, bm25; None = the lab's default
    reranker: str = "none"
    index: dict = field(default_factory=dict)  # other IndexConfig fields (chunk, title_acronyms)

    def index_config(self) -> IndexConfig:
        sparse = SparseConfig(**self.sparse)
        if self.headers is None:
            return IndexConfig(sparse=sparse, **self.index)
        on = self.headers != "off"
        return IndexConfig(contextual_headers=on, header_target=self.headers if on else "both", sparse=sparse, **self.index)

    def retrieval_config(self, depth: int | None = None) -> RetrievalConfig:
        fields = {"top_k": 20, **self.retrieval}
        if depth:  # BEIR: rank deeper than the lab's small corpora need
            fields["candidates"] = max(depth, fields.get("candidates", 0))
        return RetrievalConfig(**fields)

    def retriever(self, index, depth: int | None = None):
        from core.rerank import MMRReranker, RerankingRetriever
        from core.retrieval import IndexRetriever

        config = self.retrieval_config(depth)
        base = IndexRetriever(index, config, {})
        if self.reranker == "mmr":
            return RerankingRetriever(base, MMRReranker(None, index.dense, 0.7), config.candidates)
        return base


CONFIGS = [
    BenchConfig("old dense", {"mode": "dense"}, headers="off", index=RECURSIVE),
    BenchConfig("old bm25", {"mode": "bm25", **OLD_RETRIEVAL}, OLD_SPARSE, headers="off", index=RECURSIVE),
    BenchConfig("old hybrid rrf", {"mode": "hybrid", **OLD_RETRIEVAL}, OLD_SPARSE, headers="off", index=RECURSIVE),
    BenchConfig("old hybrid weighted", {"mode": "hybrid", **OLD_RETRIEVAL, "fusion": "weighted"}, OLD_SPARSE, headers="off",
                index=RECURSIVE),
    BenchConfig("previous default", {"dense_weight": 0.4}, index={**RECURSIVE, "title_acronyms": False}),
    BenchConfig("default (hybrid)", {}),
    BenchConfig("hybrid recursive chunks", {}, index=RECURSIVE),
    BenchConfig("hybrid dense weight 0.4", {"dense_weight": 0.4}),
    BenchConfig("dense", {"mode": "dense"}),
    BenchConfig("bm25", {"mode": "bm25"}),
    BenchConfig("bm25 words tokens", {"mode": "bm25"}, {"tokenizer": "words"}),
    BenchConfig("bm25 no stemming", {"mode": "bm25"}, {"stem": False}),
    BenchConfig("bm25 RM3", {"mode": "bm25", "prf_terms": 10}),
    BenchConfig("bm25 RM3 5 terms", {"mode": "bm25", "prf_terms": 5}),
    BenchConfig("hybrid rrf", {"fusion": "rrf"}),
    BenchConfig("hybrid weighted", {"fusion": "weighted"}),
    BenchConfig("hybrid RM3", {"prf_terms": 10}),
    BenchConfig("hybrid dense feedback", {"vector_prf": 3}),
    BenchConfig("hybrid + mmr", {}, reranker="mmr"),
    BenchConfig("hybrid headers off", {}, headers="off"),
    BenchConfig("hybrid no title acronyms", {}, index={"title_acronyms": False}),
    BenchConfig("hybrid headers dense", {}, headers="dense"),
    BenchConfig("hybrid headers both", {}, headers="both"),
    BenchConfig("dense headers dense", {"mode": "dense"}, headers="dense"),
    BenchConfig("best on NFCorpus dev", {"dense_weight": 0.5, "prf_terms": 5, "prf_docs": 5, "vector_prf": 3}),
]
