"""CSV: one line of text per row, `column: value; column: value`, so each row reads
as a sentence for retrieval. The delimiter is sniffed (comma, semicolon, tab, pipe)."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from core.errors import BadInputError
from core.loaders.base import Loaded, decode_text


def load_csv(name: str, data: bytes) -> Loaded:
    raw, encoding, warnings = decode_text(name, data)
    try:
        dialect = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(raw), dialect))
    except csv.Error as exc:
        raise BadInputError(
            name, f"is not valid CSV ({exc}). Check its quoting, or save it as UTF-8 CSV again."
        ) from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return Loaded(text="", encoding=encoding, warnings=warnings)
    header, body = rows[0], rows[1:]
    lines = [
        "; ".join(f"{h.strip() or f'column {i + 1}'}: {v.strip()}" for i, (h, v) in
                  enumerate(zip(header, row)) if v.strip())
        for row in body
    ]  # fmt: skip
    text = "\n".join(line for line in lines if line) or " ".join(header)
    return Loaded(text=text, title=PurePath(name).stem, encoding=encoding, warnings=warnings)
