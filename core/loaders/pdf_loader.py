"""PDF text extraction with pypdf, page by page.

Handles: encrypted files with an empty password, pages without text (reported).
Does not OCR: a scanned PDF without a text layer is rejected with advice.
"""

from __future__ import annotations

import io
import logging

from core.errors import BadInputError
from core.loaders.base import Loaded

_MIN_CHARS = 20  # fewer non-space characters in the whole file: treat as scanned


def load_pdf(name: str, data: bytes) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInputError(
                name, "the PDF is password-protected. Remove the password and upload it again."
            )
        pages = tuple(page.extract_text() or "" for page in reader.pages)
        title = _metadata_title(reader)
    except BadInputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise BadInputError(
            name,
            f"the PDF is corrupt or truncated ({type(exc).__name__}). "
            "Re-export it from the original application and upload it again.",
        ) from exc
    if not pages:
        raise BadInputError(name, "the PDF has no pages. Upload a PDF with content.")
    if sum(len("".join(p.split())) for p in pages) < _MIN_CHARS:
        raise BadInputError(
            name,
            "the PDF has no extractable text (a scanned image?). "
            "Run OCR on it (e.g. ocrmypdf) or upload the text instead.",
        )
    empty = [str(i + 1) for i, text in enumerate(pages) if not text.strip()]
    warnings = (
        (f"{name}: page(s) {', '.join(empty)} have no text layer and were skipped (scanned?).",)
        if empty
        else ()
    )
    return Loaded(page_texts=pages, title=title, warnings=warnings)


def _metadata_title(reader) -> str | None:
    try:
        title = (reader.metadata or {}).get("/Title")
    except Exception:  # broken metadata must not sink an otherwise readable PDF
        return None
    title = str(title).strip() if title else ""
    return title or None
