"""Word .docx with python-docx, in body order: headings become `#` lines, list items
`- ` lines, table rows `cell | cell`. Legacy .doc files are not supported."""

from __future__ import annotations

import io
import re
import zipfile

from core.errors import BadInputError
from core.loaders.base import Loaded

_HEADING = re.compile(r"Heading (\d)")


def load_docx(name: str, data: bytes) -> Loaded:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
    except XMLSyntaxError as exc:
        raise BadInputError(name, f"its Word XML is malformed or too large to parse ({str(exc)[:120]}). "
                            "Open it in Word and save it again as .docx, or export it as PDF.") from exc  # fmt: skip
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise BadInputError(
            name,
            "is not a valid .docx file (corrupt, or another format renamed). "
            "Open it in Word and save it again as .docx, or export it as PDF.",
        ) from exc
    blocks: list[str] = []
    first_heading: str | None = None
    style_names = {s.style_id: s.name for s in document.styles}
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            blocks.extend(_table_rows(item))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = style_names.get(_style_id(item), "")
        level = 1 if style == "Title" else _heading_level(style)
        if level:
            first_heading = first_heading or text
            blocks.append(f"{'#' * level} {text}")
        elif "List" in style:
            blocks.append(f"- {text}")
        else:
            blocks.append(text)
    title = (document.core_properties.title or "").strip() or first_heading
    return Loaded(text="\n\n".join(blocks), title=title)


def _style_id(paragraph) -> str | None:
    """The paragraph's style id read from its XML; `paragraph.style` resolves the whole
    style table on every call and made loading ten times slower than extraction."""
    ppr = paragraph._p.pPr
    return ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None


def _heading_level(style: str) -> int:
    match = _HEADING.match(style)
    return int(match.group(1)) if match else 0


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows
