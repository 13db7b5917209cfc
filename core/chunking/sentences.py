"""Sentence segmentation and sentence-based grouping (no NLTK data download needed).

The segmenter splits after . ! ? before a capital, digit, quote or bracket, and at
blank lines and heading lines; it knows common legal and business abbreviations.
It does not handle every abbreviation or language: text it cannot split stays long,
and the grouping falls back to token windows for any over-long sentence.
"""

from __future__ import annotations

import re
from typing import Callable

from core.tokens import chunk_token_count

_ABBREVIATIONS = {
    "inc", "ltd", "llc", "llp", "co", "corp", "no", "nos", "mr", "mrs", "ms", "dr", "st", "sec",
    "art", "para", "e.g", "i.e", "etc", "vs", "v", "u.s", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "cf", "p", "pp", "a.m", "p.m",
}  # fmt: skip
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[A-Z0-9])|\n\s*\n")
_HEADING_LINE = re.compile(r"^#{1,6} .*$", re.MULTILINE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; heading lines are sentences of their own."""
    spans: list[tuple[int, int]] = []
    position = 0
    for heading in _HEADING_LINE.finditer(text):
        spans.extend(_sentences(text, position, heading.start()))
        spans.append((heading.start(), heading.end()))
        position = heading.end()
    spans.extend(_sentences(text, position, len(text)))
    return spans


def _sentences(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = begin
    for match in _BOUNDARY.finditer(text, begin, end):
        if _ends_with_abbreviation(text[start : match.start()]) and "\n" not in match.group(0):
            continue
        _add(spans, text, start, match.start())
        start = match.end()
    _add(spans, text, start, end)
    return spans


def _ends_with_abbreviation(segment: str) -> bool:
    word = segment.rstrip(".!?\"')] ").rsplit(maxsplit=1)[-1:] or [""]
    return word[0].lower().lstrip("(\"'") in _ABBREVIATIONS or len(word[0]) == 1


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    segment = text[start:end]
    stripped = segment.strip()
    if stripped:
        offset = start + segment.index(stripped)
        spans.append((offset, offset + len(stripped)))


def group_sentences(
    text: str,
    spans: list[tuple[int, int]],
    chunk_size: int,
    overlap: int,
    breaks: set[int] | None = None,
    split_long: Callable[[int, int], list[tuple[int, int]]] | None = None,
) -> list[tuple[int, int]]:
    """Pack consecutive sentences into chunks of at most `chunk_size` tokens.

    `breaks` holds sentence indices that must start a new chunk (semantic splits);
    `overlap` repeats trailing sentences worth at most that many tokens.
    """
    # each size includes the whitespace before the sentence, as it will appear in the chunk
    sizes = [chunk_token_count(text[spans[i - 1][1] if i else s : e]) for i, (s, e) in enumerate(spans)]
    chunks: list[tuple[int, int]] = []
    current: list[int] = []
    total = 0
    for i, size in enumerate(sizes):
        if size > chunk_size and split_long is not None:
            if current:
                chunks.append((spans[current[0]][0], spans[current[-1]][1]))
            chunks.extend(split_long(*spans[i]))
            current, total = [], 0
            continue
        if current and (total + size > chunk_size or (breaks and i in breaks)):
            chunks.append((spans[current[0]][0], spans[current[-1]][1]))
            carry: list[int] = []
            carried = 0
            for j in reversed(current):
                if breaks and i in breaks or carried + sizes[j] > overlap:
                    break
                carry.insert(0, j)
                carried += sizes[j]
            while carry and carried + size > chunk_size:  # the overlap must not overflow the chunk
                carried -= sizes[carry.pop(0)]
            current, total = carry, carried
        current.append(i)
        total += size
    if current:
        chunks.append((spans[current[0]][0], spans[current[-1]][1]))
    return chunks
