"""Evaluate page: the per-lane table, charts, per-question table, exports and run comparison."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from core.errors import PlaygroundError
from core.qa import QUESTION_TYPES

COLUMNS = {"label": "lane", "n": "questions", "accuracy": "accuracy", "exact_match": "EM", "f1": "token F1",
           "semantic": "semantic sim.", "groundedness": "grounded", "recall_at_k": "recall@k", "mrr": "MRR",
           "ndcg_at_10": "nDCG@10", "abstention_out_of_corpus": "abstains when out of corpus",
           "freshness_before": "freshness before", "freshness_after": "freshness after",
           "latency_mean_ms": "mean ms", "latency_p95_ms": "p95 ms", "prompt_tokens_mean": "prompt tokens",
           "cost_per_1k": "$ per 1k queries", "judge_accuracy": "LLM judge", "judge_dollars": "judge $",
           "errors": "errors", "flagged": "answers given flagged passages"}  # fmt: skip
EXPLAIN = (
    "**correct**: out-of-corpus questions must be abstained on; otherwise the answer must contain every number of "
    "the gold answer, or (no numbers) reach token F1 ≥ 0.5. **EM / token F1**: SQuAD normalisation, citation markers "
    "removed. **semantic**: cosine of answer and gold with the embedding model (−1 to 1; near 0: unrelated). **grounded**: share of answer "
    "sentences supported by the cited context (or, uncited, the retrieved context): a sentence is supported when its "
    "best cosine to a context sentence, or its content-word overlap with one, passes the thresholds in "
    "core/evaluation/answers.py. **recall@k, MRR, nDCG@10**: chunk level, gold chunks overlap the evidence quotes. "
    "**latency**: sum of each lane's stage timings on this machine. **$ per 1k**: 1,000 × mean dollars per answered "
    "question at the 'priced as' model's litellm price (blank: price unknown)."
)


def summary_frame(run) -> pd.DataFrame:
    from core.evaluation.summary import summarise

    rows = []
    for s in summarise(run):
        row = {name: getattr(s, name) for name in COLUMNS}
        row["recall_at_k"] = s.recall_at_k
        if s.setup:
            row["label"] = f"{s.label} (needs set-up)"
        rows.append(row)
    return pd.DataFrame(rows).rename(columns=COLUMNS)


def show_run(run) -> None:
    from core.evaluation.summary import summarise

    answered = "extractive reader (no LLM)" if run.settings.get("answered_by", "").startswith("extractive") else run.settings.get("answered_by")
    st.subheader(f"Run {run.run_id}")
    st.caption(f"{len({r.item_id for r in run.records if r.phase == 'main'})} questions · corpus {run.corpus_id} revision "
               f"{run.corpus_revision} · answered by {answered} · priced as {run.settings.get('priced_as')}"
               + (" · stopped early" if run.stopped else ""))  # fmt: skip
    table = summary_frame(run)
    st.dataframe(table.round(3), hide_index=True, width="stretch")
    with st.expander("How each figure is computed"):
        st.markdown(EXPLAIN)
    summaries = [s for s in summarise(run) if s.n]
    left, right = st.columns(2)
    priced = [s for s in summaries if s.cost_per_1k is not None and s.accuracy is not None]
    if priced:
        frame = pd.DataFrame([{"lane": s.label, "accuracy": s.accuracy, "$ per 1k queries": s.cost_per_1k} for s in priced])
        figure = px.scatter(frame, x="$ per 1k queries", y="accuracy", color="lane", log_x=True, height=360,
                            range_y=[-0.02, 1.05], title="Accuracy against cost")  # fmt: skip
        figure.update_traces(marker={"size": 12})
        left.plotly_chart(figure, width="stretch", key="ev_scatter")
    else:
        left.info("No price for the 'priced as' model: the cost chart needs one.")
    by_type = pd.DataFrame([{"lane": s.label, "type": t, "accuracy": a, "questions": n}
                            for s in summaries for t, a, n in s.accuracy_by_type])  # fmt: skip
    if not by_type.empty:
        right.plotly_chart(px.bar(by_type, x="type", y="accuracy", color="lane", barmode="group", height=360,
                                  range_y=[0, 1], hover_data=["questions"], title="Accuracy by question type"),
                           width="stretch", key="ev_by_type")  # fmt: skip
    _questions(run)
    left, right = st.columns(2)
    left.download_button("Export CSV (one row per question and lane)", run.to_csv(), f"{run.run_id}.csv", "text/csv")
    right.download_button("Export JSON", run.to_json(), f"{run.run_id}.json", "application/json")


def _questions(run) -> None:
    st.markdown("**Per question**")
    c = st.columns([2, 1])
    types = c[0].multiselect("Question types", QUESTION_TYPES, default=list(QUESTION_TYPES), key="ev_show_types")
    phase = c[1].selectbox("Phase", ["main", "before_update", "after_update"], key="ev_phase",
                           help="Freshness items are also scored on the corpus before and after the updates.")  # fmt: skip
    rows = [{"id": r.item_id, "type": r.type, "lane": r.label, "question": r.question, "answer": r.answer[:300],
             "gold": r.gold, "correct": r.correct, "evidence retrieved": r.evidence_found, "F1": r.f1,
             "grounded": r.grounded, "tokens": (r.prompt_tokens or 0) + (r.completion_tokens or 0) if r.ran else None,
             "$": r.dollars, "ms": None if r.latency_ms is None else round(r.latency_ms),
             "note": r.error or r.setup or r.reason}
            for r in run.records if r.phase == phase and r.type in types]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=320)


@st.cache_data(show_spinner=False, max_entries=8)
def _load(root: str, run_id: str):
    """A saved run, read from disk once per process (saved runs never change; a deleted id cannot be picked)."""
    from pathlib import Path

    from core.evaluation.store import RunStore

    return RunStore(Path(root)).load(run_id)


def saved_runs_section() -> None:
    from core.evaluation.compare import compare_runs
    from ui.eval_run import runs_store

    st.subheader("Saved runs: compare two")
    store = runs_store()
    infos = store.list()
    if len(infos) < 2:
        st.caption("Every run is saved; run the evaluation twice (e.g. with another retriever) to compare.")
        return
    label = {i.run_id: f"{i.run_id} · {i.questions} questions · {', '.join(i.lanes)}" for i in infos}
    c = st.columns(2)
    old = c[0].selectbox("Baseline", list(label), index=1, format_func=label.get, key="ev_run_base")
    new = c[1].selectbox("Candidate", list(label), index=0, format_func=label.get, key="ev_run_cand")
    if old == new:
        st.info("Pick two different runs.")
        return
    try:
        a, b = _load(str(store.root), old), _load(str(store.root), new)
    except PlaygroundError as exc:
        st.error(str(exc))
        return
    comparisons = compare_runs(a, b)
    rows = [{"lane": c.label, "metric": d.metric, "baseline": d.before, "candidate": d.after, "change": d.delta,
             "regression": "⚠ worse" if d.regression else ""}
            for c in comparisons for d in c.deltas if d.delta is not None]  # fmt: skip
    worse = [c for c in comparisons if c.regressions or c.flipped_to_wrong]
    if worse:
        st.warning("Regressions: " + "; ".join(f"{c.label}: {', '.join(d.metric for d in c.regressions)}"
                                              + (f" ({len(c.flipped_to_wrong)} questions now wrong)" if c.flipped_to_wrong else "")
                                              for c in worse))  # fmt: skip
    else:
        st.success("No metric got worse beyond the tolerance (2 points; 10% for latency, tokens and cost).")
    st.dataframe(pd.DataFrame(rows).round(4), hide_index=True, width="stretch")
    flips = [{"lane": c.label, "now wrong": ", ".join(c.flipped_to_wrong), "now right": ", ".join(c.flipped_to_right)}
             for c in comparisons if c.flipped_to_wrong or c.flipped_to_right]  # fmt: skip
    if flips:
        st.dataframe(pd.DataFrame(flips), hide_index=True, width="stretch")
