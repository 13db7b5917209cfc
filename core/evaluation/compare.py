"""Compare two evaluation runs lane by lane: metric deltas, regressions, flipped questions.

A metric regressed when it got worse by more than the tolerance: scores in [0, 1]
(accuracy, EM, F1, ...) by more than `tolerance` (absolute, default 0.02); latency,
tokens and cost by more than `relative` (default 10%) of the earlier value. A question
flipped when the same (question id, lane, phase) was correct in `a` and wrong in `b`
(or the reverse). Only lanes present in both runs are compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.evaluation.records import EvalRun
from core.evaluation.summary import summarise

HIGHER_IS_BETTER = ("accuracy", "exact_match", "f1", "semantic", "groundedness", "recall_at_k", "mrr", "ndcg_at_10",
                    "evidence_found", "abstention_out_of_corpus", "freshness_before", "freshness_after",
                    "judge_accuracy")  # fmt: skip
LOWER_IS_BETTER = ("abstention_answerable", "latency_mean_ms", "latency_p95_ms", "prompt_tokens_mean", "cost_per_1k",
                   "errors")  # fmt: skip
LATENCY_FLOOR_MS = 50.0
RELATIVE = ("latency_mean_ms", "latency_p95_ms", "prompt_tokens_mean", "cost_per_1k")


@dataclass(frozen=True)
class MetricDelta:
    metric: str
    before: float | None
    after: float | None
    delta: float | None  # after - before; None when either is missing
    regression: bool


@dataclass(frozen=True)
class LaneComparison:
    lane: str
    label: str
    deltas: tuple[MetricDelta, ...]
    flipped_to_wrong: tuple[str, ...]  # "item id" or "item id (phase)" for freshness phases
    flipped_to_right: tuple[str, ...]

    @property
    def regressions(self) -> tuple[MetricDelta, ...]:
        return tuple(d for d in self.deltas if d.regression)


def compare_runs(a: EvalRun, b: EvalRun, tolerance: float = 0.02, relative: float = 0.10) -> list[LaneComparison]:
    """How `b` differs from `a`, per lane both runs have (in `b`'s lane order)."""
    before = {s.lane: s for s in summarise(a)}
    out = []
    for summary in summarise(b):
        if summary.lane not in before:
            continue
        old = before[summary.lane]
        deltas = tuple(_delta(name, getattr(old, name), getattr(summary, name), tolerance, relative)
                       for name in HIGHER_IS_BETTER + LOWER_IS_BETTER)  # fmt: skip
        wrong, right = _flips(a, b, summary.lane)
        out.append(LaneComparison(summary.lane, summary.label, deltas, wrong, right))
    return out


def _delta(name: str, old, new, tolerance: float, relative: float) -> MetricDelta:
    if old is None or new is None:
        return MetricDelta(name, old, new, None, False)
    delta = float(new) - float(old)
    worse = -delta if name in HIGHER_IS_BETTER else delta
    limit = relative * abs(float(old)) if name in RELATIVE else (0 if name == "errors" else tolerance)
    if name.startswith("latency"):
        limit = max(limit, LATENCY_FLOOR_MS)  # timer noise on a sub-millisecond lane is not a regression
    return MetricDelta(name, float(old), float(new), delta, worse > limit)


def _flips(a: EvalRun, b: EvalRun, lane: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    key = lambda r: r.item_id if r.phase == "main" else f"{r.item_id} ({r.phase})"  # noqa: E731
    earlier = {key(r): r.correct for r in a.records if r.lane == lane and r.correct is not None}
    wrong, right = [], []
    for record in b.records:
        if record.lane != lane or record.correct is None or key(record) not in earlier:
            continue
        if earlier[key(record)] and not record.correct:
            wrong.append(key(record))
        elif not earlier[key(record)] and record.correct:
            right.append(key(record))
    return tuple(wrong), tuple(right)


def regressions(comparisons: list[LaneComparison]) -> list[tuple[str, MetricDelta]]:
    return [(c.lane, d) for c in comparisons for d in c.regressions]

