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
        if not 0 < self.semantic_percentile < 100:
            raise ConfigError(f"semantic_percentile={self.semantic_percentile!r} must be between 0 and 100.")


@dataclass(frozen=True)
class IndexConfig:
    """What an index is built from: chunking, embedding model, contextual headers.

    contextual_headers: prepend "title > section path | document summary" to each chunk
    for both the embedding and BM25 (the offline form of contextual retrieval).
    """

    chunk: ChunkConfig = ChunkConfig()
    embedder: str = "all-MiniLM-L6-v2"
    contextual_headers: bool = False

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
