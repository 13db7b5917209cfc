"""Display of retrieval hits: a table with every stage's score and rank, and the
source passage of a hit highlighted in its document."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core.injection import injection_label
from core.types import Document, Hit

STAGES = ("dense", "bm25", "fused", "rerank")


def hits_table(hits: list[Hit]) -> pd.DataFrame:
    rows = []
    for hit in hits:
        row = {"rank": hit.rank, "document": hit.chunk.doc_name, "section": " > ".join(hit.chunk.section[-2:]),
               "page": hit.chunk.page, "tokens": hit.chunk.tokens, "score": round(hit.score, 4)}  # fmt: skip
        if flag := injection_label(hit.chunk.text):  # the passage addresses the model: say so on the hit
            row["injection?"] = flag
        for stage in STAGES:
            found = hit.stage(stage)
            if found is not None:
                row[f"{stage} score"] = round(found[0], 4)
                row[f"{stage} rank"] = found[1]
        first = hit.stage("dense") or hit.stage("bm25")
        if first is not None and (hit.stage("fused") or hit.stage("rerank")):
            row["moved"] = _movement(first[1] - hit.rank)
        rows.append(row)
    table = pd.DataFrame(rows)
    return dashed(table)


def dashed(table: pd.DataFrame) -> pd.DataFrame:
    """Missing cells (a stage that did not see the chunk, no page) shown as "–", not "None"."""
    from core.labels import MISSING

    return table.astype(object).where(table.notna(), MISSING) if not table.empty else table


def highlighted_passage(document: Document, hit: Hit, context: int = 400) -> None:
    """The chunk in place, with `context` characters of its document on each side."""
    start, end = hit.chunk.start, hit.chunk.end
    before = document.text[max(0, start - context) : start]
    after = document.text[end : end + context]
    body = (
        f"<span style='color:#888'>{'…' if start > context else ''}{html.escape(before)}</span>"
        f"<mark style='background:#fff3b0'>{html.escape(document.text[start:end])}</mark>"
        f"<span style='color:#888'>{html.escape(after)}{'…' if end + context < len(document.text) else ''}</span>"
    )
    st.html(f"<div style='white-space:pre-wrap;font-size:0.9rem;line-height:1.45'>{body}</div>")


def _movement(delta: int) -> str:
    """Rank change from the first retrieval stage to the final list (up is better)."""
    return f"▲ {delta}" if delta > 0 else f"▼ {-delta}" if delta < 0 else "="
