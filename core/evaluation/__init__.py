"""Evaluation: run a QA set through the lanes and score answers, retrieval, cost and latency.

answers    exact match, token F1, semantic similarity, groundedness, LLM judge
run        evaluate(...) -> EvalRun; evaluate_freshness(...) adds before/after-update records
records    QuestionRecord, EvalRun (JSON round trip, CSV export)
summary    summarise(run) -> [LaneSummary]; summary_table
compare    compare_runs(a, b): per-lane deltas, regressions, flipped questions
store      RunStore: saved runs under <data dir>/runs
qasets     sample QA set, uploaded JSONL/CSV, LLM-written QA pairs
freshness  corpus versions before/after updates, without changing the stored corpus
"""

from core.evaluation.answers import AnswerScorer, JudgeVerdict, exact_match, llm_judge
from core.evaluation.compare import LaneComparison, MetricDelta, compare_runs
from core.evaluation.qasets import (
    GeneratedQA,
    generate_qa,
    load_sample_qa,
    parse_qa_upload,
    select_items,
)
from core.evaluation.records import EvalRun, QuestionRecord
from core.evaluation.run import evaluate, evaluate_freshness, gold_from_index
from core.evaluation.store import RunInfo, RunStore
from core.evaluation.summary import LaneSummary, summarise, summary_table

__all__ = [
    "AnswerScorer", "EvalRun", "GeneratedQA", "JudgeVerdict", "LaneComparison", "LaneSummary", "MetricDelta",
    "QuestionRecord", "RunInfo", "RunStore", "compare_runs", "evaluate", "evaluate_freshness", "exact_match",
    "generate_qa", "gold_from_index", "llm_judge", "load_sample_qa", "parse_qa_upload", "select_items", "summarise",
    "summary_table",
]  # fmt: skip
