"""Settings read from the environment, in one place.

PLAYGROUND_DATA_DIR  where corpora (and later indexes, adapters, runs) live;
                     default: ~/.rag-ft-playground
PLAYGROUND_MAX_FILE_MB  largest single file accepted for ingestion; default 50
"""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAX_FILE_MB = 50.0


def data_dir() -> Path:
    """The data folder, created if missing."""
    raw = os.environ.get("PLAYGROUND_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else Path.home() / ".rag-ft-playground"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"PLAYGROUND_DATA_DIR={str(path)!r} cannot be created ({exc.strerror}). "
            "Point it at a writable folder."
        ) from exc
    return path


def max_file_mb() -> float:
    """The per-file size limit in megabytes (PLAYGROUND_MAX_FILE_MB)."""
    raw = os.environ.get("PLAYGROUND_MAX_FILE_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_MB
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(
            f"PLAYGROUND_MAX_FILE_MB={raw!r} is not a positive number of megabytes, e.g. 50."
        )
    return value
