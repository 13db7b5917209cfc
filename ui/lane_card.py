"""One lane's column on the Compare page: answer, citations, hits, tokens, cost, latency."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.lanes import LaneResult

TOKEN_PARTS = ("instructions", "context", "question", "formatting", "completion")
COLOURS = {"instructions": "#94a3b8", "context": "#3b82f6", "question": "#f59e0b", "formatting": "#d1d5db",
           "completion": "#10b981"}  # fmt: skip


def money(value: float | None) -> str:
    if value is None:
        return "price unknown"
    return f"${value:,.6f}" if value < 0.01 else f"${value:,.4f}"


def lane_card(result: LaneResult, verdict: str | None = None) -> None:
    st.markdown(f"#### {result.label}")
    if result.setup:
        st.info(result.setup)
        return
    if result.error:
        st.error(result.error)
        return
    answer = result.answer
    st.caption(f"Answered by **{answer.generator}**" + (" · abstained" if answer.abstained else ""))
    if verdict:
        st.markdown(verdict)
    st.markdown(answer.text.replace("$", "\\$"))
    for warning in result.warnings:
        st.warning(warning)
    for note in getattr(result, "notes", ()):
        st.info(note)
    for citation in answer.citations:
        with st.expander(f"[{citation.marker}] {citation.doc_name}" + (f" p.{citation.page}" if citation.page else "")):
            st.text(citation.quote)
    if result.hits:
        with st.expander(f"Retrieved chunks ({len(result.hits)})"):
            st.dataframe(pd.DataFrame([{"#": h.rank, "document": h.chunk.doc_name, "score": round(h.score, 4)}
                                       for h in result.hits]), hide_index=True)  # fmt: skip
    token_bar(result)
    cost = result.cost
    st.markdown(f"**{money(cost.dollars)}** per query as {cost.priced_as}"
                + (f" · {money(cost.dollars_cached)} when the same context repeats (prompt caching)" if cost.dollars_cached is not None else ""))  # fmt: skip
    if cost.window_share is not None:
        st.progress(min(cost.window_share, 1.0), text=f"{cost.window_share:.1%} of the {cost.window:,}-token window")
    st.caption(" · ".join(f"{stage} {ms:,.0f} ms" for stage, ms in result.timings_ms))
    with st.expander("Exact prompt"):
        for message in result.prompt.messages:
            st.markdown(f"**{message['role']}**")
            st.text(message["content"][:20_000] + ("\n[... cut for display]" if len(message["content"]) > 20_000 else ""))


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
