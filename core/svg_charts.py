"""Static bar charts as inline SVG for the HTML report: no scripts, fonts or files fetched.

`bar_chart` draws one horizontal bar per row, each made of coloured segments (stacked),
with the row label on the left, the total on the right and a legend below. Plotly's own
static export needs kaleido and a browser download, which this project cannot rely on.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

PALETTE = ("#3b82f6", "#f59e0b", "#10b981", "#94a3b8", "#ef4444", "#8b5cf6", "#14b8a6", "#d1d5db")
_LABEL_W, _BAR_W, _VALUE_W, _ROW_H = 150, 420, 110, 26


def bar_chart(title: str, rows: Sequence[tuple[str, Sequence[float]]], parts: Sequence[str], unit_format: str = "{:,.0f}",
              colours: dict[str, str] | None = None) -> str:  # fmt: skip
    """`rows` are (label, one value per part). Returns an inline <svg> element for HTML5 (no
    xmlns, so the page names no URL at all), or "" when there is nothing to draw."""
    totals = [sum(v or 0.0 for v in values) for _, values in rows]
    if not rows or max(totals, default=0) <= 0:
        return ""
    scale = _BAR_W / max(totals)
    colour = {p: (colours or {}).get(p, PALETTE[i % len(PALETTE)]) for i, p in enumerate(parts)}
    legend_rows = (len(parts) + 3) // 4 if len(parts) > 1 else 0
    height = 30 + len(rows) * _ROW_H + legend_rows * 18 + 8
    width = _LABEL_W + _BAR_W + _VALUE_W
    out = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="12">',
           f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']  # fmt: skip
    for n, ((name, values), total) in enumerate(zip(rows, totals)):
        y = 28 + n * _ROW_H
        out.append(f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>')
        x = float(_LABEL_W)
        for part, value in zip(parts, values):
            w = (value or 0.0) * scale
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{_ROW_H - 8}" fill="{colour[part]}">'
                           f'<title>{escape(part)}: {escape(unit_format.format(value))}</title></rect>')  # fmt: skip
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{escape(unit_format.format(total))}</text>')
    if legend_rows:
        for i, part in enumerate(parts):
            lx, ly = _LABEL_W + (i % 4) * 130, 30 + len(rows) * _ROW_H + (i // 4) * 18
            out.append(f'<rect x="{lx}" y="{ly}" width="11" height="11" fill="{colour[part]}"/>'
                       f'<text x="{lx + 15}" y="{ly + 10}">{escape(part)}</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)
