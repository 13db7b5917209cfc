"""Per-lane summary of an evaluation run, and the text table the CLI prints.

Means are over the records where the metric applies (None values are left out), from
the "main" phase; freshness before/after are the accuracy on the "before_update" and
"after_update" records. Accuracy counts a failed lane (error) as wrong; a lane that
needs set-up has n = 0 and its set-up message. Latency: mean and 95th percentile
(numpy, linear interpolation) of the per-question sum of stage timings, over answered
questions. Cost per 1,000 queries = 1,000 x the mean dollars per answered question,
None when any answered question has no price ("price unknown").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.evaluation.records import EvalRun, QuestionRecord
from core.lanes import LABELS
from core.qa import QUESTION_TYPES


@dataclass(frozen=True)
class LaneSummary:
    lane: str
    label: str
    n: int  # questions the lane ran on (answered or failed); 0 when it needs set-up
    accuracy: float | None
    exact_match: float | None
    f1: float | None
    semantic: float | None
    groundedness: float | None
    k: int | None
    recall_at_k: float | None
    mrr: float | None
    ndcg_at_10: float | None
    evidence_found: float | None
    abstention_out_of_corpus: float | None  # share of out-of-corpus questions the lane abstained on
    out_of_corpus_n: int
    abstention_answerable: float | None  # share of answerable questions it abstained on
    accuracy_by_type: tuple[tuple[str, float, int], ...]  # (type, accuracy, questions)
    latency_mean_ms: float | None
    latency_p95_ms: float | None
    prompt_tokens_mean: float | None
    completion_tokens_mean: float | None
    cost_per_1k: float | None
    cost_label: str
    errors: int
    setup: str | None
    judged: int
    judge_accuracy: float | None
    judge_dollars: float | None
    freshness_before: float | None
    freshness_after: float | None
    freshness_n: int
    flagged: int = 0  # answers given passages that the injection detector flagged (core.injection)


def mean(values: Iterable[float | bool | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def p95(values: Sequence[float]) -> float | None:
    return float(np.percentile(values, 95)) if len(values) else None


def cost_per_1k(dollars: Sequence[float | None]) -> float | None:
    if not dollars or any(d is None for d in dollars):
        return None
    return 1000 * sum(dollars) / len(dollars)


def summarise(run: EvalRun) -> list[LaneSummary]:
    priced_as = run.settings.get("priced_as", "?")
    return [_lane(run, lane, priced_as) for lane in run.lanes]


def _lane(run: EvalRun, lane: str, priced_as: str) -> LaneSummary:
    records = run.records_for(lane)
    setup = next((r.setup for r in records if r.setup), None)
    active = [r for r in records if r.setup is None]
    ran = [r for r in active if r.ran]
    ooc = [r for r in ran if r.type == "out_of_corpus"]
    answerable = [r for r in ran if r.type != "out_of_corpus"]
    by_type = tuple((t, mean(r.correct for r in group), len(group))
                    for t in QUESTION_TYPES if (group := [r for r in active if r.type == t]))  # fmt: skip
    latencies = [r.latency_ms for r in ran if r.latency_ms is not None]
    dollars = [r.dollars for r in ran]
    cost = cost_per_1k(dollars)
    label = f"$ per 1,000 queries, priced as {priced_as}" if cost is not None else (
        f"price unknown for {priced_as}" if dollars else "no answered questions")  # fmt: skip
    judged = [r for r in ran if r.judge_score is not None]
    judge_dollars = [r.judge_dollars for r in ran if r.judge_tokens]  # calls that returned
    return LaneSummary(
        lane=lane, label=LABELS.get(lane, lane), n=len(active),
        accuracy=mean(r.correct for r in active), exact_match=mean(r.em for r in ran), f1=mean(r.f1 for r in ran),
        semantic=mean(r.semantic for r in ran), groundedness=mean(r.grounded for r in ran),
        k=next((r.k for r in ran if r.k is not None), None), recall_at_k=mean(r.recall_at_k for r in ran),
        mrr=mean(r.reciprocal_rank for r in ran), ndcg_at_10=mean(r.ndcg_at_10 for r in ran),
        evidence_found=mean(r.evidence_found for r in ran),
        abstention_out_of_corpus=mean(r.abstained for r in ooc), out_of_corpus_n=len(ooc),
        abstention_answerable=mean(r.abstained for r in answerable), accuracy_by_type=by_type,
        latency_mean_ms=mean(latencies), latency_p95_ms=p95(latencies),
        prompt_tokens_mean=mean(r.prompt_tokens for r in ran), completion_tokens_mean=mean(r.completion_tokens for r in ran),
        cost_per_1k=cost, cost_label=label, errors=sum(1 for r in active if r.error), setup=setup,
        judged=len(judged), judge_accuracy=mean(r.judge_score for r in judged),
        judge_dollars=None if not judge_dollars or None in judge_dollars else sum(judge_dollars),
        freshness_before=_accuracy(run.records_for(lane, "before_update")),
        freshness_after=_accuracy(run.records_for(lane, "after_update")),
        freshness_n=len([r for r in run.records_for(lane, "after_update") if r.setup is None]),
        flagged=sum(1 for r in ran if getattr(r, "flagged_passages", 0)),
    )  # fmt: skip


def _accuracy(records: list[QuestionRecord]) -> float | None:
    return mean(r.correct for r in records if r.setup is None)


COLUMNS = [("lane", "label"), ("n", "n"), ("acc", "accuracy"), ("EM", "exact_match"), ("F1", "f1"),
           ("sem", "semantic"), ("grnd", "groundedness"), ("R@k", "recall_at_k"), ("MRR", "mrr"),
           ("nDCG@10", "ndcg_at_10"), ("abst OOC", "abstention_out_of_corpus"), ("fresh before", "freshness_before"),
           ("fresh after", "freshness_after"), ("ms mean", "latency_mean_ms"), ("ms p95", "latency_p95_ms"),
           ("$/1k", "cost_per_1k"), ("err", "errors"), ("inject", "flagged")]  # fmt: skip


def summary_table(summaries: Sequence[LaneSummary]) -> str:
    """A plain-text table, one row per lane ("-" = not applicable); set-up lanes say so."""
    rows = [[h for h, _ in COLUMNS]]
    notes = []
    for s in summaries:
        if s.setup:
            notes.append(f"{s.label}: not run. {s.setup}")
            continue
        rows.append([_cell(getattr(s, name), name) for _, name in COLUMNS])
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    ks = sorted({s.k for s in summaries if s.k})
    priced = next((s.cost_label for s in summaries if not s.setup), "")
    footer = f"R@k: k = {', '.join(map(str, ks)) or '-'} (the lane's top_k); $/1k: {priced}"
    return "\n".join(lines + [footer] + notes)


def _cell(value, name: str) -> str:
    if value is None:
        return "-"
    if name in ("label", "n", "errors", "flagged"):
        return str(value)
    if name.startswith("latency"):
        return f"{value:,.0f}"
    if name == "cost_per_1k":
        return f"{value:.4f}"
    return f"{value:.3f}"
