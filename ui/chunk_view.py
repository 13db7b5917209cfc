"""Coloured rendering of a document's chunks, with overlaps marked."""

from __future__ import annotations

import html

from core.types import Chunk

PALETTE = ("#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#e0e7ff", "#ccfbf1")
OVERLAP = "#f97316"


def chunks_html(text: str, chunks: tuple[Chunk, ...], limit: int = 30_000) -> str:
    """HTML of text[:limit]: each chunk on its own colour; text in 2+ chunks is underlined
    in orange; text in no chunk is grey. A label [n] marks where chunk n starts."""
    end_of_view = min(len(text), limit)
    cuts = sorted({0, end_of_view, *(c.start for c in chunks if c.start < end_of_view),
                   *(c.end for c in chunks if c.end < end_of_view)})  # fmt: skip
    starts = {c.start: c.index for c in chunks}
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [c for c in chunks if c.start <= a and c.end >= b]
        piece = html.escape(text[a:b])
        label = f"<sup style='color:#555;font-weight:600'>[{starts[a]}]</sup>" if a in starts else ""
        if not covering:
            parts.append(f"{label}<span style='color:#aaa'>{piece}</span>")
        elif len(covering) == 1:
            parts.append(f"{label}<span style='background:{PALETTE[covering[0].index % len(PALETTE)]}'>{piece}</span>")
        else:
            colour = PALETTE[covering[-1].index % len(PALETTE)]
            parts.append(f"{label}<span title='in chunks {', '.join(str(c.index) for c in covering)}' "
                         f"style='background:{colour};border-bottom:3px solid {OVERLAP}'>{piece}</span>")  # fmt: skip
    more = f"<p style='color:#888'>[view cut at {limit:,} of {len(text):,} characters]</p>" if len(text) > limit else ""
    return f"<div style='white-space:pre-wrap;font-size:0.88rem;line-height:1.6'>{''.join(parts)}</div>{more}"
