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
    width = max(len(row) for row in rows)
    names = [(header[i].strip() if i < len(header) else "") or f"column {i + 1}" for i in range(width)]
    lines = ["; ".join(f"{names[i]}: {v.strip()}" for i, v in enumerate(row) if v.strip()) for row in body]
    text = "\n".join(line for line in lines if line) or " ".join(header)
    ragged = sum(1 for row in body if len(row) > len(header))
    if ragged:  # extra cells are kept, under "column N"
        warnings += (f"{name}: {ragged} row(s) have more cells than the {len(header)}-column header; the extra cells "
                     f"are kept as 'column {len(header) + 1}' and so on. Check the file's delimiters or quoting.",)  # fmt: skip
    return Loaded(text=text, title=PurePath(name).stem, encoding=encoding, warnings=warnings)
