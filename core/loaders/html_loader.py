"""HTML with BeautifulSoup: visible text only, in one walk over the tree.

Drops script, style, noscript, template, svg, iframe, nav, head and comments;
headings become `#` lines and list items `- ` lines so section structure survives;
whitespace inside a block collapses as a browser would (except in <pre>). Does not run
JavaScript, so text a page builds at run time is not seen.
"""

from __future__ import annotations

import re

from core.errors import BadInputError
from core.loaders.base import Loaded, decode_text

_WS = re.compile(r"\s+")
_DROP = {"script", "style", "noscript", "template", "svg", "iframe", "nav", "head", "object", "canvas"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote",
    "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address",
}  # fmt: skip


def load_html(name: str, data: bytes) -> Loaded:
    from bs4 import BeautifulSoup

    raw, encoding, warnings = decode_text(name, data)
    soup = BeautifulSoup(raw, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    parts: list[str] = []
    try:
        _walk(soup, parts, in_pre=False)
    except RecursionError as exc:
        raise BadInputError(name, "the HTML is nested too deeply to read. Save the page as text.") from exc
    if not title:
        first = soup.find(list(_HEADINGS))
        title = first.get_text(" ", strip=True) if first else None
    return Loaded(text="".join(parts), title=title, encoding=encoding, warnings=warnings)


def _walk(node, parts: list[str], in_pre: bool) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                parts.append(str(child) if in_pre else _WS.sub(" ", str(child)))
            continue
        if not isinstance(child, Tag) or child.name in _DROP:
            continue
        name = child.name
        if name in _HEADINGS:
            parts.append(f"\n\n{'#' * _HEADINGS[name]} {child.get_text(' ', strip=True)}\n\n")
        elif name == "br":
            parts.append("\n")
        elif name == "li":
            parts.append("\n- ")
            _walk(child, parts, in_pre)
            parts.append("\n")
        elif name in ("td", "th"):
            _walk(child, parts, in_pre)
            parts.append(" | ")
        else:
            block = name in _BLOCKS
            parts.append("\n\n" if block else "")
            _walk(child, parts, in_pre or name == "pre")
            parts.append("\n\n" if block else "")
