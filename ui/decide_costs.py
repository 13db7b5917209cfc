"""The Decide page's cost calculator: monthly and year-one cost per approach, and break-even charts."""

from __future__ import annotations

import itertools

import pandas as pd
import plotly.express as px
import streamlit as st

from core.decide.costs import CostInputs, break_even_months, break_even_qpd, cost_lines, cost_over_months, \
    cost_over_qpd, cost_table, usage_for_model  # fmt: skip
from core.decide.rules import APPROACHES, LABELS
from core.errors import PlaygroundError

# Shown only when nothing was measured this session, and labelled as examples.
EXAMPLE_TOKENS = {"rag": (1_400, 80), "fine_tuning": (120, 80), "long_context": (118_000, 80), "hybrid": (1_400, 80)}


def _token_rows(measurements) -> tuple[str, pd.DataFrame]:
    labels = ["example figures (not measured; edit them)", *(m[0] for m in measurements)]
    source = st.selectbox("Tokens per query from", labels, index=1 if measurements else 0, key="dec_cost_source")
    found = dict(next((m[1] for m in measurements if m[0] == source), {}))
    rows = []
    for a in APPROACHES:
        n = found.get(a)
        prompt, completion = (n.prompt_tokens, n.completion_tokens) if n else EXAMPLE_TOKENS[a]
        rows.append({"approach": LABELS[a], "include": True, "prompt tokens": round(prompt),
                     "completion tokens": round(completion), "from": "measured" if n else "example"})  # fmt: skip
    return source, pd.DataFrame(rows)


def cost_calculator(measurements) -> None:
    st.subheader("Cost calculator")
    st.caption("Per-query dollars = tokens × the model's price (litellm's bundled price map, or your prices). "
               "A month is 30.4375 days. Setup and monthly items are yours to edit; nothing here is a quote.")  # fmt: skip
    source, table = _token_rows(measurements)
    with st.form("dec_costs"):
        edited = st.data_editor(table, hide_index=True, width="stretch", disabled=["approach", "from"], key="dec_tokens_table")
        c = st.columns(4)
        model = c[0].text_input("Priced as (litellm model)", "gpt-4o-mini", key="dec_model")
        qpd = c[1].number_input("Queries per day", 0, 10**8, 1_000, step=100, key="dec_cost_qpd")
        cached = c[2].slider("Long context: share of prompt served from the prompt cache", 0.0, 1.0, 0.0, 0.05,
                             key="dec_cached", help="Providers bill a repeated prompt prefix at the cached price.")  # fmt: skip
        months = c[3].number_input("Chart horizon (months)", 6, 60, 24, key="dec_months")
        st.markdown("**Setup and running costs (your figures, $)**")
        s = st.columns(5)
        ingest = s[0].number_input("Embedding ingest (one-off)", 0.0, 1e7, 5.0, key="dec_ingest")
        vector_db = s[1].number_input("Vector database / month", 0.0, 1e6, 25.0, key="dec_vdb")
        reindex = s[2].number_input("Re-indexing / month", 0.0, 1e6, 1.0, key="dec_reindex")
        gpu_hours = s[3].number_input("Training GPU hours", 0.0, 1e5, 2.0, key="dec_gpu_hours")
        gpu_price = s[4].number_input("GPU $ / hour", 0.0, 1e3, 2.5, key="dec_gpu_price")
        t = st.columns(4)
        prep = t[0].number_input("Training data preparation (one-off)", 0.0, 1e7, 500.0, key="dec_prep",
                                 help="People's time to write and check examples.")  # fmt: skip
        retrains = t[1].number_input("Retrains / month (to stay fresh)", 0.0, 100.0, 1.0, key="dec_retrains")
        hosting = t[2].number_input("Fine-tuned model hosting / month", 0.0, 1e6, 0.0, key="dec_hosting",
                                    help="0 when a hosted fine-tuned model is billed per token only.")  # fmt: skip
        shared = t[3].number_input("Shared model hosting / month (all approaches)", 0.0, 1e6, 0.0, key="dec_shared")
        go = st.form_submit_button("Calculate", type="primary")
    if go:
        try:
            usages = {}
            for _, row in edited.iterrows():
                approach = next(a for a in APPROACHES if LABELS[a] == row["approach"])
                if row["include"]:
                    share = cached if approach == "long_context" else 0.0
                    usages[approach] = usage_for_model(model.strip(), float(row["prompt tokens"]),
                                                       float(row["completion tokens"]), share)  # fmt: skip
            if not usages:
                raise PlaygroundError("Include at least one approach in the table.")
            inputs = CostInputs(qpd, **usages, embedding_ingest=ingest, vector_db_per_month=vector_db,
                                reindex_per_month=reindex, training_gpu_hours=gpu_hours, gpu_per_hour=gpu_price,
                                data_preparation=prep, retrains_per_month=retrains, hosting_per_month=hosting,
                                shared_hosting_per_month=shared)  # fmt: skip
            st.session_state["decide_costs"] = (inputs, int(months), source)
        except PlaygroundError as exc:
            st.error(str(exc))
    if "decide_costs" in st.session_state:
        _show(*st.session_state["decide_costs"])


def _show(inputs: CostInputs, months: int, source: str) -> None:
    first = next(getattr(inputs, a) for a in inputs.priced())
    st.caption(f"Tokens from {source}; prices: {first.source}.")
    rows = [{"approach": r.label, "setup $": r.setup, "$ per query": r.per_query, "$ per 1k queries": r.per_1k,
             "$ per month": r.monthly, "year one $": r.year_one} for r in cost_table(inputs)]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="$%.4f" if "query" in c else "$%,.2f")
                                for c in rows[0] if c != "approach"})  # fmt: skip
    with st.expander("Where the money goes (each line with its formula)"):
        st.dataframe([{"approach": LABELS[a], "item": line.name, "kind": line.kind.replace("_", "-"),
                       "$": round(line.dollars, 4), "formula": line.formula}
                      for a in inputs.priced() for line in cost_lines(a, inputs)], hide_index=True, width="stretch")  # fmt: skip
    pairs = list(itertools.combinations(inputs.priced(), 2))
    left, right = st.columns(2)
    over_months = pd.DataFrame(cost_over_months(inputs, months))
    figure = px.line(over_months, x="month", y="dollars", color="label", height=360,
                     title=f"Cumulative cost at {inputs.queries_per_day:,.0f} queries/day", labels={"label": ""})  # fmt: skip
    crossings = _mark(figure, [break_even_months(a, b, inputs) for a, b in pairs], months)
    left.plotly_chart(figure, width="stretch", key="dec_chart_months")
    left.caption(crossings or "No two approaches cross within the horizon.")
    grid = sorted({round(10 ** (x / 8)) for x in range(0, 41)})  # 1 .. 100,000 queries/day
    over_qpd = pd.DataFrame(cost_over_qpd(inputs, grid, 12))
    figure = px.line(over_qpd, x="queries_per_day", y="dollars", color="label", log_x=True, log_y=True, height=360,
                     title="Year-one cost against queries per day", labels={"label": "", "queries_per_day": "queries/day"})  # fmt: skip
    crossings = _mark(figure, [break_even_qpd(a, b, inputs, 12) for a, b in pairs], grid[-1])
    right.plotly_chart(figure, width="stretch", key="dec_chart_qpd")
    right.caption(crossings or "No two approaches cross between 1 and 100,000 queries/day.")


def _mark(figure, evens, limit: float) -> str:
    """Dotted lines where approaches cross (within the chart); returns the crossings in words."""
    words = []
    for even in evens:
        if even.at is None or even.at > limit:
            continue
        figure.add_vline(x=even.at, line_dash="dot", line_color="grey")
        words.append(f"{LABELS[even.a]} / {LABELS[even.b]}: {even.reason}")
    return "  \n".join(words)
