"""Validate and parse uploaded files into `Document`s. Pure: touches no disk.

Checks, in order: the name (no folder parts), the extension, the size limit, empty
files, then the format's loader (binary data, corrupt or scanned PDFs, bad encodings).
Every rejection is a `BadInputError` naming the file and the fix.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath, PureWindowsPath

from core.config import IngestConfig
from core.errors import BadInputError
from core.loaders import LOADERS, SUPPORTED_EXTENSIONS, Loaded
from core.text import normalize_text, refine_title
from core.types import Document, Page, SourceFile, content_id

MAX_NAME_LENGTH = 200


def check_name(name: str) -> str:
    """Return `name` if it is a bare file name; raise with the fix otherwise."""
    if not name or not name.strip():
        raise BadInputError("(unnamed file)", "has no file name. Give the file a name like notes.md.")
    bare = PureWindowsPath(PurePosixPath(name).name).name
    if bare != name or name in (".", "..") or "\x00" in name:
        safe = bare.replace("\x00", "") or "document.txt"
        raise BadInputError(
            name, f"file names may not contain folder parts; rename it to '{safe}' and upload again."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise BadInputError(
            name[:40] + "...", f"the file name is over {MAX_NAME_LENGTH} characters; shorten it."
        )
    return name


def check_size(name: str, size: int, config: IngestConfig) -> None:
    """Raise if a file of `size` bytes is over the limit (callers check before reading it)."""
    if size > config.max_bytes:
        raise BadInputError(
            name,
            f"is {size / 2**20:.1f} MB, over the {config.max_file_mb:g} MB limit. "
            "Split it, or raise PLAYGROUND_MAX_FILE_MB.",
        )


def parse_file(source: SourceFile, config: IngestConfig) -> Document:
    """Turn one file into a normalised `Document`, or raise `BadInputError`."""
    name = check_name(source.name)
    ext = PurePath(name).suffix.lower()
    if ext not in LOADERS:
        allowed = ", ".join(sorted({e.lstrip(".") for e in SUPPORTED_EXTENSIONS}))
        what = f"'{ext}' files are" if ext else "files without an extension are"
        raise BadInputError(name, f"{what} not supported. Convert it to one of: {allowed}.")
    size = len(source.data)
    check_size(name, size, config)
    if size == 0:
        raise BadInputError(name, "is empty (0 bytes). Upload the file with its content.")
    fmt, loader = LOADERS[ext]
    loaded = _load(loader, name, source.data)
    text, pages = _assemble(loaded)
    if not text.strip():
        raise BadInputError(name, "contains no text after extraction. Check the file has content.")
    return Document(
        doc_id=content_id(source.data),
        name=name,
        title=refine_title((loaded.title or "").strip() or PurePath(name).stem, text),
        format=fmt,
        text=text,
        size_bytes=size,
        pages=pages,
        encoding=loaded.encoding,
        warnings=loaded.warnings,
    )


def _load(loader, name: str, data: bytes) -> Loaded:
    """Run a loader; any third-party exception becomes this file's one-line error, so one bad
    file never loses the rest of the batch."""
    try:
        return loader(name, data)
    except BadInputError:
        raise
    except Exception as exc:  # lxml, pypdf, python-docx, bs4 ... raise their own types
        detail = (str(exc).splitlines() or [""])[0][:160]
        raise BadInputError(name, f"could not be read ({type(exc).__name__}{': ' + detail if detail else ''}). "
                            "The file may be damaged or unusually built: open it and save it again, "
                            "or export it as PDF or text.") from exc  # fmt: skip


def _assemble(loaded: Loaded) -> tuple[str, tuple[Page, ...]]:
    """Normalise text; for paged formats join pages and record each page's span."""
    if not loaded.page_texts:
        return normalize_text(loaded.text), ()
    parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, raw in enumerate(loaded.page_texts, start=1):
        text = normalize_text(raw)
        if not text:
            continue
        if parts:
            offset += 2  # the "\n\n" joining pages
        pages.append(Page(number=number, start=offset, end=offset + len(text)))
        parts.append(text)
        offset += len(text)
    return "\n\n".join(parts), tuple(pages)
