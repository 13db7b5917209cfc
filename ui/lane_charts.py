"""Charts across lanes: cost per query, tokens, latency, and dollars per month."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from core.decide.costs import DAYS_PER_MONTH
from core.lanes import LaneResult
from ui.lane_card import COLOURS, TOKEN_PARTS


def lane_charts(results: list[LaneResult]) -> None:
    done = [r for r in results if r.tokens is not None]
    if not done:
        return
    priced = [r for r in done if r.cost.dollars is not None]
    left, right = st.columns(2)
    tokens = pd.DataFrame([{"lane": r.label, "part": p, "tokens": getattr(r.tokens, p)} for r in done for p in TOKEN_PARTS])
    left.plotly_chart(px.bar(tokens, x="lane", y="tokens", color="part", color_discrete_map=COLOURS, height=320,
                             title="Tokens per query"), width="stretch")  # fmt: skip
    latency = pd.DataFrame([{"lane": r.label, "stage": s, "ms": ms} for r in done for s, ms in r.timings_ms])
    right.plotly_chart(px.bar(latency, x="lane", y="ms", color="stage", height=320, title="Latency by stage (ms)"),
                       width="stretch")  # fmt: skip
    if not priced:
        st.info(f"No price for {done[0].cost.priced_as} in litellm's price map: cost charts need a known model.")
        return
    per_day = st.slider("Queries per day", 10, 100_000, 1_000, step=10, key="cmp_per_day")
    cost = pd.DataFrame([{"lane": r.label, "$ per query": r.cost.dollars,
                          "$ per month": r.cost.dollars * per_day * DAYS_PER_MONTH,
                          "$ per month, context cached": (r.cost.dollars_cached or r.cost.dollars) * per_day * DAYS_PER_MONTH}
                         for r in priced])  # fmt: skip
    left, right = st.columns(2)
    left.plotly_chart(px.bar(cost, x="lane", y="$ per query", height=320, title=f"$ per query ({done[0].cost.source})"),
                      width="stretch")  # fmt: skip
    monthly = cost.melt(id_vars="lane", value_vars=["$ per month", "$ per month, context cached"])
    right.plotly_chart(px.bar(monthly, x="lane", y="value", color="variable", barmode="group", height=320,
                              title=f"$ per month at {per_day:,} queries/day ({DAYS_PER_MONTH} days)", labels={"value": "$"}),
                       width="stretch")  # fmt: skip
