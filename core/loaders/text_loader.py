"""Plain text and Markdown. Markdown is kept as written (headings stay `#` lines)."""

from __future__ import annotations

from pathlib import PurePath

from core.loaders.base import Loaded, decode_text
from core.text import first_heading, first_line


def load_plain_text(name: str, data: bytes) -> Loaded:
    text, encoding, warnings = decode_text(name, data)
    return Loaded(text=text, title=first_line(text), encoding=encoding, warnings=warnings)


def load_markdown(name: str, data: bytes) -> Loaded:
    text, encoding, warnings = decode_text(name, data)
    title = first_heading(text) or first_line(text) or PurePath(name).stem
    return Loaded(text=text, title=title, encoding=encoding, warnings=warnings)
