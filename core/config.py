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
    """

    strategy: ChunkStrategy = "recursive"
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


@dataclass(frozen=True)
class IndexConfig:
    """What an index is built from: chunking, embedding model, contextual headers.

    contextual_headers: prepend "title > section path | document summary" to each chunk
    for both the embedding and BM25 (the offline form of contextual retrieval).
    context_model: also prepend a one- or two-sentence context written by this litellm
    model for each chunk (contextual retrieval with an LLM); None = offline only.
    """

    chunk: ChunkConfig = ChunkConfig()
    embedder: str = "all-MiniLM-L6-v2"
    contextual_headers: bool = False
    context_model: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.chunk, ChunkConfig):
            raise ConfigError(f"chunk={self.chunk!r} must be a ChunkConfig.")
        if not isinstance(self.embedder, str) or not self.embedder.strip():
            raise ConfigError(f"embedder={self.embedder!r} must be a sentence-transformers model id or path.")

    @property
    def key(self) -> str:
        """Stable hash of this config: names on-disk indexes and Chroma collections."""
        return stable_hash(self)


def stable_hash(config) -> str:
    """16 hex digits of SHA-256 over the dataclass fields as sorted JSON."""
    import hashlib
    import json
    from dataclasses import asdict

    return hashlib.sha256(json.dumps(asdict(config), sort_keys=True).encode()).hexdigest()[:16]


RetrievalMode = Literal["dense", "bm25", "hybrid"]
FusionMethod = Literal["rrf", "weighted"]


@dataclass(frozen=True)
class RetrievalConfig:
    """How hits are found. Hybrid fuses dense and BM25 candidate lists.

    rrf_k: the k of reciprocal rank fusion, score = sum(w / (rrf_k + rank)).
    dense_weight: weight of the dense list (BM25 gets 1 - dense_weight), for both fusions.
    documents: restrict to these document names (empty = all).
    viewer_tags: None = sees everything; otherwise untagged documents plus documents
    carrying at least one of these tags (per-user access control).
    """

    mode: RetrievalMode = "hybrid"
    top_k: int = 5
    candidates: int = 30
    fusion: FusionMethod = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    documents: tuple[str, ...] = ()
    viewer_tags: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.mode not in get_args(RetrievalMode):
            raise ConfigError(f"mode={self.mode!r} is not one of {', '.join(get_args(RetrievalMode))}.")
        if self.fusion not in get_args(FusionMethod):
            raise ConfigError(f"fusion={self.fusion!r} is not one of {', '.join(get_args(FusionMethod))}.")
        if not isinstance(self.top_k, int) or not 1 <= self.top_k <= 100:
            raise ConfigError(f"top_k={self.top_k!r} must be a whole number from 1 to 100.")
        if not isinstance(self.candidates, int) or self.candidates < self.top_k:
            raise ConfigError(f"candidates={self.candidates!r} must be at least top_k={self.top_k}.")
        if not isinstance(self.rrf_k, int) or self.rrf_k < 1:
            raise ConfigError(f"rrf_k={self.rrf_k!r} must be a positive whole number (60 is usual).")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ConfigError(f"dense_weight={self.dense_weight!r} must be between 0 and 1.")
