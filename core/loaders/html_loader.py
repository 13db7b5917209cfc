"""HTML with BeautifulSoup: visible text only.

Drops script, style, noscript, template, svg, iframe and nav elements; headings become
`#` lines and list items `- ` lines so section structure survives. Does not run
JavaScript, so text a page builds at run time is not seen.
"""

from __future__ import annotations

import re

from core.loaders.base import Loaded, decode_text

_WS = re.compile(r"\s+")
_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "head")
_BLOCKS = (
    "p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote",
    "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address",
)  # fmt: skip


def load_html(name: str, data: bytes) -> Loaded:
    from bs4 import BeautifulSoup

    raw, encoding, warnings = decode_text(name, data)
    soup = BeautifulSoup(raw, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for node in soup.find_all(string=True):
        if node.find_parent("pre") is None:
            node.replace_with(_WS.sub(" ", str(node)))
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            text = tag.get_text(" ", strip=True)
            title = title or text
            tag.replace_with(f"\n\n{'#' * level} {text}\n\n")
    for tag in soup.find_all("li"):
        tag.insert(0, "\n- ")
        tag.append("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.append(" | ")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert(0, "\n\n")
        tag.append("\n\n")
    return Loaded(text=soup.get_text(), title=title, encoding=encoding, warnings=warnings)
