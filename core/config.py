"""Frozen, validated configuration objects. Configs are hashable so they can key caches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from core.errors import ConfigError
from core.settings import max_file_mb

DEFAULT_TOKEN_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class IngestConfig:
    """How files are accepted and measured.

    max_file_mb: files larger than this are rejected (PLAYGROUND_MAX_FILE_MB).
    token_model: the litellm model whose tokenizer counts document tokens.
    """

    max_file_mb: float = 50.0
    token_model: str = DEFAULT_TOKEN_MODEL

    def __post_init__(self) -> None:
        if not isinstance(self.max_file_mb, (int, float)) or self.max_file_mb <= 0:
            raise ConfigError(
                f"max_file_mb={self.max_file_mb!r} must be a positive number of megabytes."
            )
        if not isinstance(self.token_model, str) or not self.token_model.strip():
            raise ConfigError(
                f"token_model={self.token_model!r} must name a litellm model, e.g. 'gpt-4o-mini'."
            )

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @classmethod
    def from_env(cls) -> "IngestConfig":
        return cls(max_file_mb=max_file_mb())


ChunkStrategy = Literal["fixed_tokens", "recursive", "sentence", "markdown_headers", "semantic"]
CHUNK_STRATEGIES: tuple[str, ...] = get_args(ChunkStrategy)


@dataclass(frozen=True)
class ChunkConfig:
    """How documents are split. Sizes are in tokens (tiktoken cl100k_base).

    semantic_percentile: for "semantic", split where the embedding distance between
    neighbouring sentences is above this percentile of all such distances.
    Default: whole sentences packed to 256 tokens with 32 of overlap, chosen on the sample
    QA set's train split (recall@5 0.823, MRR 0.725 with the other defaults; recursive 256/0
    ties on recall@5 with a lower MRR; benchmarks/bench_retrieval.py).
    """

    strategy: ChunkStrategy = "sentence"
    chunk_size: int = 256
    chunk_overlap: int = 32
    semantic_percentile: float = 90.0

    def __post_init__(self) -> None:
        if self.strategy not in CHUNK_STRATEGIES:
            raise ConfigError(f"strategy={self.strategy!r} is not one of {', '.join(CHUNK_STRATEGIES)}.")
        if not isinstance(self.chunk_size, int) or not 16 <= self.chunk_size <= 8192:
            raise ConfigError(f"chunk_size={self.chunk_size!r} must be a whole number of tokens from 16 to 8192.")
        if not isinstance(self.chunk_overlap, int) or not 0 <= self.chunk_overlap < self.chunk_size:
            raise ConfigError(
                f"chunk_overlap={self.chunk_overlap!r} must be at least 0 and below chunk_size={self.chunk_size}."
            )
        if self.chunk_overlap > self.chunk_size // 2:  # near chunk_size, each step advances a token or two
            raise ConfigError(
                f"chunk_overlap={self.chunk_overlap} is over half of chunk_size={self.chunk_size}: every token would "
                f"be indexed more than twice (thousands of chunks per document). Use at most {self.chunk_size // 2}."
            )
        if not 0 < self.semantic_percentile < 100:
            raise ConfigError(f"semantic_percentile={self.semantic_percentile!r} must be between 0 and 100.")


Bm25Tokenizer = Literal["words", "technical"]
Bm25Method = Literal["lucene", "robertson", "atire", "bm25l", "bm25+"]
HeaderTarget = Literal["both", "dense", "bm25"]


@dataclass(frozen=True)
class SparseConfig:
    """How BM25 tokenises and scores (bm25s). Changing it rebuilds BM25 only, never vectors.

    tokenizer: "words" = bm25s's default (lower-cased words of 2+ letters or digits);
    "technical" also keeps identifiers whole and split (camelCase, snake_case, dotted and
    slashed paths), section numbers (12.3(b)) and amounts ($1,500.00, 30%).
    stem: Snowball English stemming (PyStemmer) of every token.
    k1, b, method: BM25 term-frequency saturation, length normalisation and variant.
    """

    tokenizer: Bm25Tokenizer = "technical"
    stem: bool = True
    k1: float = 1.5
    b: float = 0.75
    method: Bm25Method = "lucene"

    def __post_init__(self) -> None:
        if self.tokenizer not in get_args(Bm25Tokenizer):
            raise ConfigError(f"tokenizer={self.tokenizer!r} is not one of {', '.join(get_args(Bm25Tokenizer))}.")
        if self.method not in get_args(Bm25Method):
            raise ConfigError(f"method={self.method!r} is not one of {', '.join(get_args(Bm25Method))}.")
        if not isinstance(self.k1, (int, float)) or not 0.0 <= self.k1 <= 10.0:
            raise ConfigError(f"k1={self.k1!r} must be a number from 0 to 10 (1.2-2.0 is usual).")
        if not isinstance(self.b, (int, float)) or not 0.0 <= self.b <= 1.0:
            raise ConfigError(f"b={self.b!r} must be a number from 0 to 1 (0.75 is usual).")

    @property
    def key(self) -> str:
        return stable_hash(self)


@dataclass(frozen=True)
class IndexConfig:
    """What an index is built from: chunking, embedding model, contextual headers, BM25.

    contextual_headers: prepend "title > section path | document summary" to each chunk
    (the offline form of contextual retrieval); header_target says for which side: the
    embedding ("dense"), BM25 ("bm25") or both.
    context_model: also prepend a one- or two-sentence context written by this litellm
    model for each chunk (contextual retrieval with an LLM); None = offline only.
    sparse: BM25 tokenisation and parameters (no effect on the vectors).
    title_acronyms: BM25-side headers also carry the acronyms of the document's title
    that the corpus uses ("Mutual Non-Disclosure Agreement" -> NDA); no effect on vectors.
    """

    chunk: ChunkConfig = ChunkConfig()
    embedder: str = "all-MiniLM-L6-v2"
    contextual_headers: bool = True
    context_model: str | None = None
    header_target: HeaderTarget = "bm25"
    sparse: SparseConfig = SparseConfig()
    title_acronyms: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.chunk, ChunkConfig):
            raise ConfigError(f"chunk={self.chunk!r} must be a ChunkConfig.")
        if not isinstance(self.embedder, str) or not self.embedder.strip():
            raise ConfigError(f"embedder={self.embedder!r} must be a sentence-transformers model id or path.")
        if self.header_target not in get_args(HeaderTarget):
            raise ConfigError(f"header_target={self.header_target!r} is not one of {', '.join(get_args(HeaderTarget))}.")
        if not isinstance(self.sparse, SparseConfig):
            raise ConfigError(f"sparse={self.sparse!r} must be a SparseConfig.")

    @property
    def dense_headers(self) -> bool:
        return self.contextual_headers and self.header_target in ("both", "dense")

    @property
    def bm25_headers(self) -> bool:
        return self.contextual_headers and self.header_target in ("both", "bm25")

    @property
    def key(self) -> str:
        """Hash of everything that changes the chunks or their vectors: names the on-disk
        chunk cache and the Chroma collection (BM25 settings and BM25-only headers are
        not in it, so changing them never re-embeds)."""
        fields = {"chunk": self.chunk, "embedder": self.embedder, "dense_headers": self.dense_headers,
                  "context_model": self.context_model, "format": 2}  # fmt: skip
        return _hash_json(fields)

    @property
    def bm25_key(self) -> str:
        """Hash of what BM25 is built from besides the chunks: headers on that side and `sparse`."""
        return _hash_json({"bm25_headers": self.bm25_headers, "sparse": self.sparse,
                           "title_acronyms": self.bm25_headers and self.title_acronyms})  # fmt: skip


def _hash_json(fields: dict) -> str:
    import hashlib
    import json
    from dataclasses import asdict, is_dataclass

    plain = {k: asdict(v) if is_dataclass(v) else v for k, v in fields.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:16]


def stable_hash(config) -> str:
    """16 hex digits of SHA-256 over the dataclass fields as sorted JSON."""
    import hashlib
    import json
    from dataclasses import asdict

    return hashlib.sha256(json.dumps(asdict(config), sort_keys=True).encode()).hexdigest()[:16]


RetrievalMode = Literal["dense", "bm25", "hybrid"]
FusionMethod = Literal["rrf", "weighted", "zscore"]
FUSION_METHODS: tuple[str, ...] = get_args(FusionMethod)


@dataclass(frozen=True)
class RetrievalConfig:
    """How hits are found. Hybrid fuses dense and BM25 candidate lists.

    candidates: how deep each list is fetched before fusion (and before a reranker).
    fusion: "rrf" = reciprocal rank fusion, score = sum(w / (rrf_k + rank)); "weighted" =
    convex sum of min-max normalised scores; "zscore" = convex sum of z-scored scores.
    dense_weight: weight of the dense list (BM25 gets 1 - dense_weight), for every fusion.
    prf_terms: RM3-style pseudo-relevance feedback: add this many terms from the top
    `prf_docs` BM25 hits to the BM25 query (0 = off), the original query keeping weight
    prf_weight.
    vector_prf: dense pseudo-relevance feedback (Rocchio): move the query vector towards the
    mean vector of the top `vector_prf` hits (fused hits in hybrid), with weight
    vector_prf_weight, and search again (0 = off).
    documents: restrict to these document names (empty = all).
    viewer_tags: None = sees everything; otherwise untagged documents plus documents
    carrying at least one of these tags (per-user access control).
    drop_flagged: leave out passages that address the model (prompt injection).
    """

    mode: RetrievalMode = "hybrid"
    top_k: int = 5
    candidates: int = 30
    fusion: FusionMethod = "zscore"
    rrf_k: int = 60
    dense_weight: float = 0.3
    prf_terms: int = 0
    prf_docs: int = 5
    prf_weight: float = 0.5
    vector_prf: int = 0
    vector_prf_weight: float = 0.5
    documents: tuple[str, ...] = ()
    viewer_tags: tuple[str, ...] | None = None
    drop_flagged: bool = False  # leave out passages the prompt-injection detector flags (core.injection)

    def __post_init__(self) -> None:
        if self.mode not in get_args(RetrievalMode):
            raise ConfigError(f"mode={self.mode!r} is not one of {', '.join(get_args(RetrievalMode))}.")
        if self.fusion not in FUSION_METHODS:
            raise ConfigError(f"fusion={self.fusion!r} is not one of {', '.join(FUSION_METHODS)}.")
        if not isinstance(self.top_k, int) or not 1 <= self.top_k <= 100:
            raise ConfigError(f"top_k={self.top_k!r} must be a whole number from 1 to 100.")
        if not isinstance(self.candidates, int) or not self.top_k <= self.candidates <= 2000:
            raise ConfigError(f"candidates={self.candidates!r} must be from top_k={self.top_k} to 2000.")
        if not isinstance(self.rrf_k, int) or self.rrf_k < 1:
            raise ConfigError(f"rrf_k={self.rrf_k!r} must be a positive whole number (60 is usual).")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ConfigError(f"dense_weight={self.dense_weight!r} must be between 0 and 1.")
        if not isinstance(self.prf_terms, int) or not 0 <= self.prf_terms <= 100:
            raise ConfigError(f"prf_terms={self.prf_terms!r} must be a whole number from 0 (off) to 100.")
        if not isinstance(self.prf_docs, int) or not 1 <= self.prf_docs <= 50:
            raise ConfigError(f"prf_docs={self.prf_docs!r} must be a whole number from 1 to 50.")
        if not 0.0 < self.prf_weight <= 1.0:
            raise ConfigError(f"prf_weight={self.prf_weight!r} must be above 0 and at most 1.")
        if not isinstance(self.vector_prf, int) or not 0 <= self.vector_prf <= 50:
            raise ConfigError(f"vector_prf={self.vector_prf!r} must be a whole number from 0 (off) to 50.")
        if not 0.0 <= self.vector_prf_weight <= 10.0:
            raise ConfigError(f"vector_prf_weight={self.vector_prf_weight!r} must be from 0 to 10.")
