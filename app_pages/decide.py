"""Decide: a short wizard turns the situation (and the last measurements) into a recommendation,
and a cost calculator shows monthly and year-one costs with the break-even points."""

import streamlit as st

from core.decide.rules import LABELS, Measured, Measurement, Situation, recommend
from core.errors import PlaygroundError
from ui.decide_costs import cost_calculator
from ui.measured import from_compare, from_evaluation
from ui.resources import get_store
from ui.state import active_corpus

st.title("Decide")
st.caption("Answer nine questions; the recommendation comes from a table of rules drawn from the literature "
           "(references below), adjusted by what you measured on the Evaluate or Compare page.")  # fmt: skip

corpus = active_corpus(get_store().list_corpora())
measurements = [m for m in (from_evaluation(), from_compare()) if m]
CHANGE = {"static": "Rarely or never", "monthly": "Monthly", "weekly": "Weekly", "daily": "Daily or faster"}
GAP = {"knowledge": "Missing knowledge (facts it does not know)", "behaviour": "Missing behaviour (format, style, task)",
       "both": "Both"}  # fmt: skip
PRIVACY = {"cloud_ok": "A hosted API is fine", "region_locked": "Data must stay in a region",
           "on_prem_only": "Nothing may leave our machines"}  # fmt: skip
MATURITY = {"none": "None yet", "spot_checks": "Spot checks by hand", "qa_set": "A labelled QA set",
            "continuous": "Continuous evaluation in CI"}  # fmt: skip

with st.form("dec_wizard"):
    left, right = st.columns(2)
    gap = left.radio("1. What is the model missing?", list(GAP), format_func=GAP.get, key="dec_gap")
    change = left.select_slider("2. How often does the source truth change?", list(CHANGE), "monthly",
                                format_func=CHANGE.get, key="dec_change")  # fmt: skip
    citations = left.toggle("3. Answers must cite their sources", True, key="dec_cite")
    corpus_tokens = left.number_input("4a. Corpus size (tokens)", 0, 10**10, corpus.total_tokens if corpus else 100_000,
                                      step=10_000, key="dec_tokens",
                                      help="Prefilled from the active corpus (litellm's tokenizer).")  # fmt: skip
    window = left.number_input("4b. Context window of the model you would use (tokens)", 1, 10**8, 128_000,
                               step=8_000, key="dec_window", help="gpt-4o-mini: 128,000 (litellm's price map).")  # fmt: skip
    volume = right.number_input("5. Queries per day", 0, 10**9, 1_000, step=100, key="dec_qpd")
    latency = right.number_input("6. Latency budget, p95 (ms)", 1, 600_000, 3_000, step=250, key="dec_latency")
    examples = right.number_input("7. Labelled examples available (question → good answer)", 0, 10**8, 64,
                                  key="dec_examples", help="The sample QA set has 64 in its train split.")  # fmt: skip
    privacy = right.radio("8. Privacy and data residency", list(PRIVACY), format_func=PRIVACY.get, key="dec_privacy")
    maturity = right.radio("9. How mature is your evaluation?", list(MATURITY), 2, format_func=MATURITY.get,
                           key="dec_maturity")  # fmt: skip
    use_measured = st.selectbox("Adjust with measurements from", ["none", *(m[0] for m in measurements)],
                                index=1 if measurements else 0, key="dec_source")  # fmt: skip
    go = st.form_submit_button("Recommend", type="primary")

if go:
    try:
        situation = Situation(gap, change, citations, int(corpus_tokens), int(window), int(volume), int(latency),
                              int(examples), privacy, maturity)  # fmt: skip
        picked = next((m for m in measurements if m[0] == use_measured), None)
        measured = None
        if picked:
            measured = Measured(**{a: Measurement(n.accuracy, n.prompt_tokens + n.completion_tokens, n.latency_p95_ms,
                                                  n.cost_per_1k, n.questions, n.measured_with, n.offline_reader)
                                   for a, n in picked[1].items()},
                                source=picked[0])  # fmt: skip
        st.session_state["decide"] = (situation, recommend(situation, measured))
    except PlaygroundError as exc:
        st.error(str(exc))

if "decide" in st.session_state:
    situation, rec = st.session_state["decide"]
    st.subheader(f"Recommendation: {rec.label}")
    st.caption("Points per approach: " + " · ".join(f"{LABELS[a]} {p:+d}" for a, p in rec.scores)
               + (f" (runner-up: {LABELS[rec.runner_up]})" if rec.runner_up else ""))  # fmt: skip
    left, right = st.columns(2)
    with left:
        st.markdown("**Why**")
        st.markdown("\n".join(f"- {r}" for r in rec.reasons) or "- No rule favoured one approach strongly.")
        st.markdown("**Avoid**")
        st.markdown("\n".join(f"- {a}" for a in rec.anti_patterns))
    with right:
        st.markdown("**Look again when**")
        st.markdown("\n".join(f"- {s}" for s in rec.relook_signals))
        if rec.caveats:
            st.markdown("**Caveats**")
            st.markdown("\n".join(f"- {c}" for c in rec.caveats))
    with st.expander("Every rule that fired, with its points"):
        st.dataframe([{"rule": c.rule, "points": ", ".join(f"{LABELS[a]} {p:+d}" for a, p in c.points),
                       "overridden by": c.overridden_by or "", "reason": c.reason} for c in rec.contributions],
                     hide_index=True, width="stretch")  # fmt: skip
    with st.expander("References"):
        st.markdown("\n".join(f"- [{r.short}: {r.title}]({r.url}): {r.finding}" for r in rec.references))

st.divider()
cost_calculator(measurements)
