"""Run a langchain-community file loader on bytes: they read paths, so the bytes are
written to a private temporary folder that is removed at once (the only file-system
use by any loader). Their output is joined into one `Loaded` text (core.langchain_docs)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from core.errors import BadInputError


def run_on_bytes(name: str, data: bytes, make_loader: Callable[[Path], object], what: str) -> list:
    """`make_loader(path).load()` on a temporary copy of `data`; any failure is `name`'s one-line error."""
    with tempfile.TemporaryDirectory(prefix="playground-load-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        try:
            return list(make_loader(path).load())
        except BadInputError:
            raise
        except Exception as exc:  # noqa: BLE001 - third-party loaders raise anything; the user needs one line
            detail = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise BadInputError(name, f"could not be read as {what} ({detail}). Check that it is a valid {what} file.") from exc
