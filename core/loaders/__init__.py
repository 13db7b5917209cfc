"""File loaders: bytes of one file -> `Loaded` text, title and pages.

One module per format; `LOADERS` maps a file extension to its loader. Loaders raise
`BadInputError(name, problem)` with a fix; they never touch the file system.
"""

from __future__ import annotations

from typing import Callable

from core.loaders.base import Loaded
from core.loaders.csv_loader import load_csv
from core.loaders.docx_loader import load_docx
from core.loaders.email_loader import load_email
from core.loaders.html_loader import load_html
from core.loaders.json_loader import load_json, load_jsonl
from core.loaders.notebook_loader import load_notebook
from core.loaders.pdf_loader import load_pdf
from core.loaders.text_loader import load_markdown, load_plain_text

Loader = Callable[[str, bytes], Loaded]

LOADERS: dict[str, tuple[str, Loader]] = {
    ".txt": ("txt", load_plain_text),
    ".text": ("txt", load_plain_text),
    ".md": ("md", load_markdown),
    ".markdown": ("md", load_markdown),
    ".pdf": ("pdf", load_pdf),
    ".docx": ("docx", load_docx),
    ".html": ("html", load_html),
    ".htm": ("html", load_html),
    ".csv": ("csv", load_csv),
    ".json": ("json", load_json),
    ".jsonl": ("jsonl", load_jsonl),
    ".ipynb": ("ipynb", load_notebook),
    ".eml": ("eml", load_email),
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(LOADERS)
FORMATS: tuple[str, ...] = tuple(dict.fromkeys(fmt for fmt, _ in LOADERS.values()))

__all__ = ["FORMATS", "LOADERS", "SUPPORTED_EXTENSIONS", "Loaded", "Loader"]
