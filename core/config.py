"""Frozen, validated configuration objects. Configs are hashable so they can key caches."""

from __future__ import annotations

from dataclasses import dataclass

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
