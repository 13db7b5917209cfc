"""Turn split pieces of text back into `Chunk`s: offsets, page and heading path.

Splitters return strings; this finds each one in the document (in order, allowing
overlap) so every chunk knows exactly where it came from.
"""

from __future__ import annotations

import bisect
import re

from core.tokens import chunk_token_count
from core.types import Chunk, Document

_HEADING = re.compile(r"^(#{1,6}) +(.+)$", re.MULTILINE)


def headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, title) of every Markdown heading line (loaders emit these)."""
    return [(m.start(), len(m.group(1)), m.group(2).strip()) for m in _HEADING.finditer(text)]


def section_spans(text: str) -> list[tuple[int, int]]:
    """Spans from each heading line to the next (the text before the first heading too)."""
    cuts = [0] + [offset for offset, _, _ in headings(text) if offset > 0] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def section_at(marks: list[tuple[int, int, str]], offsets: list[int], position: int) -> tuple[str, ...]:
    """The heading path in force at `position`."""
    stack: dict[int, str] = {}
    for offset, level, title in marks[: bisect.bisect_right(offsets, position)]:
        stack = {lvl: t for lvl, t in stack.items() if lvl < level}
        stack[level] = title
    return tuple(stack[level] for level in sorted(stack))


def spans_from_pieces(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Character spans of `pieces` in `text`, searched in order (pieces may overlap)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, cursor)
        if start < 0:  # splitter altered whitespace: anchor on the opening words
            start = text.find(piece[:40], cursor)
        if start < 0:
            start = min(cursor, len(text))
        end = min(start + len(piece), len(text))
        spans.append((start, end))
        cursor = start + 1
    return spans


def build_chunks(document: Document, spans: list[tuple[int, int]]) -> tuple[Chunk, ...]:
    marks = headings(document.text)
    offsets = [m[0] for m in marks]
    chunks = []
    for index, (start, end) in enumerate(spans):
        body = document.text[start:end]
        chunks.append(
            Chunk(
                chunk_id=f"{document.doc_id}:{index}",
                doc_id=document.doc_id,
                doc_name=document.name,
                index=index,
                text=body,
                start=start,
                end=end,
                tokens=chunk_token_count(body),
                page=document.page_at(start),
                section=section_at(marks, offsets, start),
            )
        )
    return tuple(chunks)
