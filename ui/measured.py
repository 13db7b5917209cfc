"""Measurements for the Decide page, taken from the last Compare run or evaluation in this session."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.decide.rules import LANE_TO_APPROACH
from core.generation.extractive import LABEL as READER


@dataclass(frozen=True)
class ApproachNumbers:
    """One approach's measured figures; None where the run did not measure them."""

    approach: str
    lane: str
    prompt_tokens: float
    completion_tokens: float
    accuracy: float | None
    latency_p95_ms: float | None
    cost_per_1k: float | None
    questions: int | None
    measured_with: str | None = None  # the backend whose latency and cost these are

    @property
    def offline_reader(self) -> bool:
        return self.measured_with == READER


def _pick(rows: list[ApproachNumbers]) -> dict[str, ApproachNumbers]:
    """One row per approach; where two lanes map to one approach (RAG and RAG + rerank) the plain lane wins."""
    chosen: dict[str, ApproachNumbers] = {}
    for row in rows:
        if row.approach not in chosen or row.lane == row.approach or row.lane == "rag":
            chosen[row.approach] = row
    return chosen


def from_compare() -> tuple[str, dict[str, ApproachNumbers]] | None:
    """Per approach, the tokens, latency and cost of the last Compare run (one question)."""
    saved = st.session_state.get("compare")
    if not saved:
        return None
    question, _, results, _ = saved
    rows = []
    for r in results:
        if r.kind not in LANE_TO_APPROACH or r.tokens is None:
            continue
        cost = r.cost.dollars * 1000 if r.cost and r.cost.dollars is not None else None
        rows.append(ApproachNumbers(LANE_TO_APPROACH[r.kind], r.kind, r.tokens.prompt, r.tokens.completion, None,
                                    sum(ms for _, ms in r.timings_ms), cost, None,
                                    r.answer.generator if r.answer else None))  # fmt: skip
    return (f"the Compare run on “{question}” (one question: no accuracy)", _pick(rows)) if rows else None


def from_evaluation() -> tuple[str, dict[str, ApproachNumbers]] | None:
    """Per approach, accuracy, mean tokens, p95 latency and cost from the last evaluation run."""
    run = st.session_state.get("eval_run")
    if run is None:
        return None
    from core.evaluation.summary import summarise

    rows = []
    for s in summarise(run):
        if s.lane not in LANE_TO_APPROACH or not s.n or s.prompt_tokens_mean is None:
            continue
        rows.append(ApproachNumbers(LANE_TO_APPROACH[s.lane], s.lane, s.prompt_tokens_mean, s.completion_tokens_mean or 0.0,
                                    s.accuracy, s.latency_p95_ms, s.cost_per_1k, s.n, run.settings.get("answered_by")))  # fmt: skip
    questions = len({r.item_id for r in run.records if r.phase == "main"})
    return (f"evaluation run {run.run_id} ({questions} questions)", _pick(rows)) if rows else None
