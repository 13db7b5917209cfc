"""Files and folders on disk as `SourceFile`s for ingestion (the CLI's `ingest`).

The size limit is checked from the file's metadata before anything is read, so a file far
over the limit costs no memory; inside a folder, links (and files reached through linked
folders) that resolve outside it are refused. Each refusal is that file's one-line issue;
the other files still ingest.
"""

from __future__ import annotations

from pathlib import Path

from core.config import IngestConfig
from core.errors import BadInputError, PlaygroundError
from core.ingest import check_size
from core.loaders import SUPPORTED_EXTENSIONS
from core.types import IngestIssue, SourceFile


def read_sources(paths: list[Path], config: IngestConfig) -> tuple[list[SourceFile], list[IngestIssue]]:
    """The files named or found under the folders named, read after their checks pass."""
    sources: list[SourceFile] = []
    issues: list[IngestIssue] = []
    for path, folder in _candidates(paths):
        try:
            if folder is not None and not path.resolve().is_relative_to(folder.resolve()):
                raise BadInputError(path.name, f"is a link to {path.resolve()}, outside the folder {folder}; links "
                                    "that leave the folder are not followed. Copy the file into the folder instead.")  # fmt: skip
            check_size(path.name, path.stat().st_size, config)
            sources.append(SourceFile(path.name, path.read_bytes()))
        except BadInputError as exc:
            issues.append(IngestIssue(name=exc.name, message=str(exc)))
        except OSError as exc:
            issues.append(IngestIssue(name=path.name, message=f"{path}: cannot be read ({exc.strerror}). "
                                      "Check that it exists and is readable."))  # fmt: skip
    return sources, issues


def _candidates(paths: list[Path]):
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_EXTENSIONS):
                if found.is_file() or found.is_symlink():
                    yield found, path
        elif path.is_file():
            yield path, None
        else:
            raise PlaygroundError(f"{path}: no such file or folder. Check the path.")
