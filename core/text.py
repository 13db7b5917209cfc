"""Text normalisation shared by every loader.

Keeps paragraph breaks (one blank line), line breaks and each line's leading indentation
(code keeps its shape in storage and citations); collapses inner runs of spaces,
strips control and zero-width characters, and normalises Unicode to NFC. It does not
fix hyphenation or reflow lines broken by a PDF's layout.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline
_MANY_NEWLINES = re.compile(r"\n{3,}")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize_text(text: str) -> str:
    """Normalise whitespace and invisible characters, keeping paragraph structure."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = (_line(line) for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _line(line: str) -> str:
    """Leading indentation kept as written (code, nested lists); inner runs of spaces
    collapsed; trailing whitespace dropped."""
    body = line.lstrip()
    if not body:
        return ""
    return line[: len(line) - len(body)] + _SPACES.sub(" ", body).rstrip()


def collapse_whitespace(text: str) -> str:
    """All whitespace runs to one space: the form used to match quotes across layouts."""
    return " ".join(normalize_text(text).split())


def first_heading(text: str) -> str | None:
    """The first Markdown heading's text (`# Title`), if any."""
    for line in text.split("\n"):
        match = re.match(r"#{1,6}\s+(.+)", line)
        if match:
            return match.group(1).strip()
    return None


def first_line(text: str, max_len: int = 120) -> str | None:
    """The first non-empty line if it is short enough to be a title. Two leading
    upper-case lines (a letterhead, then the document name) are joined with " - "."""
    lines = [line.strip() for line in text.split("\n")[:20] if line.strip()]
    if not lines or len(lines[0]) > max_len:
        return None
    if len(lines) > 1 and lines[0].isupper() and lines[1].isupper() and len(lines[1]) <= max_len:
        return f"{lines[0]} - {lines[1]}"
    return lines[0]


_GENERIC_TITLES = {"MEMORANDUM", "MEMO", "LETTER", "NOTICE"}
_SUBJECT = re.compile(r"^(?:#+\s*)?(?:RE|Re|SUBJECT|Subject)\s*:\s*(.+)$", re.MULTILINE)


def refine_title(title: str, text: str) -> str:
    """Replace a generic title ("MEMORANDUM") with the document's RE:/Subject: line."""
    if title.strip().upper() in _GENERIC_TITLES:
        match = _SUBJECT.search(text[:3000])
        if match:
            return f"{title.strip().title()}: {match.group(1).strip()}"
    return title
