"""One lane's column on the Compare page: answer, citations, hits, tokens, cost, latency."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.injection import injection_label
from core.labels import MISSING, shown
from core.lanes import LaneResult
from core.report import cited_passages
from core.verdicts import LaneVerdict

TOKEN_PARTS = ("instructions", "context", "question", "formatting", "completion")
COLOURS = {"instructions": "#94a3b8", "context": "#3b82f6", "question": "#f59e0b", "formatting": "#d1d5db",
           "completion": "#10b981"}  # fmt: skip


def money(value: float | None) -> str:
    if value is None:
        return "price unknown"
    return f"${value:,.6f}" if value < 0.01 else f"${value:,.4f}"


def lane_card(result: LaneResult, verdict: LaneVerdict | None = None, projector: bool = False) -> None:
    """Answer first; with `projector`, everything but the answer and its verdict is folded."""
    st.markdown(f"#### {result.label}")
    if result.setup:
        st.info(result.setup)
        return
    if result.error:
        st.error(result.error)
        return
    answer = result.answer
    if verdict is not None:
        colour = "green" if verdict.correct else "red"
        st.markdown(f":{colour}-badge[**{verdict.word}**] {verdict.reason}"
                    + (f" · :{'green' if verdict.evidence else 'orange'}[{verdict.evidence_words}]" if verdict.evidence_words else ""))  # fmt: skip
    st.markdown(answer.text.replace("$", "\\$"))
    st.caption(f"Answered by **{answer.generator}**" + (" · abstained" if answer.abstained else ""))
    details = st.expander("Details: citations, chunks, tokens, cost, latency, prompt") if projector else st.container()
    with details:
        _details(result, answer, folded=projector)


def _details(result: LaneResult, answer, folded: bool) -> None:
    """Inside the projector layout's expander, parts are headed sections (expanders may not nest)."""
    fold = _section if folded else st.expander
    for warning in result.warnings:
        st.warning(warning)
    for note in getattr(result, "notes", ()):
        st.info(note)
    for passage in cited_passages(answer):
        with fold(f"[{passage.marker}] {passage.doc_name}" + (f" p.{passage.page}" if passage.page else "")
                         + (f" · {len(passage.quotes)} quotes" if len(passage.quotes) > 1 else "")):  # fmt: skip
            st.text("\n\n".join(passage.quotes))
    if result.hits:
        with fold(f"Retrieved chunks ({len(result.hits)})"):
            st.dataframe(chunk_table(result.hits), hide_index=True)
            if any(h.stage("rerank") for h in result.hits) and result.kind == "rag_rerank":
                st.caption("Ranks are after reranking; **retrieval score** is the score before it. An MMR "
                           "\"score\" is only its pick order (30 = picked first), so it is not shown as a score.")  # fmt: skip
    token_bar(result)
    cost = result.cost
    st.markdown(f"**{money(cost.dollars)}** per query as {cost.priced_as}"
                + (f" · {money(cost.dollars_cached)} when the same context repeats (prompt caching)" if cost.dollars_cached is not None else ""))  # fmt: skip
    if cost.window_share is not None:
        st.progress(min(cost.window_share, 1.0), text=f"{cost.window_share:.1%} of the {cost.window:,}-token window")
    st.caption(" · ".join(f"{stage} {ms:,.0f} ms" for stage, ms in result.timings_ms) + f" (measured with {answer.generator})")
    with fold("Exact prompt"):
        for message in result.prompt.messages:
            st.markdown(f"**{message['role']}**")
            st.text(message["content"][:20_000] + ("\n[... cut for display]" if len(message["content"]) > 20_000 else ""))


def _section(title: str):
    box = st.container()
    box.markdown(f"**{title}**")
    return box


def chunk_table(hits) -> pd.DataFrame:
    """Rank, document, section, page and the retrieval score (before any reranking); "–" where missing."""
    rows = []
    for h in hits:
        before = h.stage("fused") or h.stage("dense") or h.stage("bm25")
        rows.append({"#": h.rank, "document": h.chunk.doc_name, "section": " > ".join(h.chunk.section[-2:]) or MISSING,
                     "page": shown(h.chunk.page), "retrieval score": shown(before[0] if before else h.score, "{:.4f}"),
                     "rank before rerank": shown(h.stage("rerank") and before and before[1]),
                     "injection?": injection_label(h.chunk.text)})  # fmt: skip
    table = pd.DataFrame(rows)
    for column in ("rank before rerank", "injection?"):
        if (table[column].isin([MISSING, ""])).all():
            table = table.drop(columns=column)
    return table


def token_bar(result: LaneResult) -> None:
    tokens = result.tokens
    figure = go.Figure()
    for part in TOKEN_PARTS:
        figure.add_trace(go.Bar(y=[""], x=[getattr(tokens, part)], name=part, orientation="h",
                                marker_color=COLOURS[part], hovertemplate=f"{part}: %{{x:,}}<extra></extra>"))  # fmt: skip
    figure.update_layout(barmode="stack", height=120, margin={"l": 0, "r": 0, "t": 24, "b": 0},
                         title={"text": f"{tokens.prompt + tokens.completion:,} tokens ({tokens.model})", "font": {"size": 12}},
                         legend={"orientation": "h", "font": {"size": 9}, "y": -0.5}, showlegend=True)  # fmt: skip
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False}, key=f"tokens_{result.kind}")
