"""Evaluation pieces against hand-computed values: answer metrics, groundedness, summaries,
run JSON/CSV, the run store, run comparison, QA uploads and LLM-written QA pairs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.errors import BadInputError, ConfigError
from core.evaluation.answers import (
    AnswerScorer,
    exact_match,
    llm_judge,
    sentences,
    strip_citations,
)
from core.evaluation.compare import compare_runs
from core.evaluation.qasets import (
    generate_qa,
    load_sample_qa,
    parse_qa_upload,
    select_items,
)
from core.evaluation.records import EvalRun, QuestionRecord
from core.evaluation.store import RunStore
from core.evaluation.summary import cost_per_1k, p95, summarise, summary_table
from core.judging import token_f1
from core.types import Chunk, Generation, TokenUsage


class FakeEmbedder:
    """Unit vectors: given ones for known texts, otherwise a fresh axis per new text (so two
    different texts have cosine 0 and equal texts cosine 1)."""

    name = "fake"

    def __init__(self, known: dict[str, np.ndarray] | None = None, dim: int = 64) -> None:
        self.known, self.dim, self.axes, self.calls = dict(known or {}), dim, {}, 0

    def embed(self, texts, progress=None):
        self.calls += 1
        rows = []
        for text in texts:
            if text in self.known:
                vector = np.asarray(self.known[text], dtype=np.float32)
            else:
                vector = np.zeros(self.dim, dtype=np.float32)
                vector[self.axes.setdefault(text, 8 + len(self.axes))] = 1.0
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows)


def axis(i: int, dim: int = 64) -> np.ndarray:
    v = np.zeros(dim)
    v[i] = 1.0
    return v


# ----- answer metrics -----------------------------------------------------------------


def test_exact_match_and_f1_by_hand():
    assert exact_match("The meal per diem is $75. [1]", "the meal per diem is $75") == 1.0
    assert exact_match("$75 per day [2]", "$75") == 0.0
    assert strip_citations("Sixteen weeks [1] [12].") == "Sixteen weeks."
    # pred tokens: sixteen weeks paid; gold: sixteen weeks -> P 2/3, R 1, F1 0.8
    assert token_f1(strip_citations("Sixteen weeks paid [1]"), "Sixteen weeks.") == pytest.approx(0.8)


def test_groundedness_on_a_crafted_answer():
    context = ["The meal per diem is $75 per day. Mileage is reimbursed at $0.67 per mile."]
    answer = "The meal per diem is $75 per day [1]. Mileage is paid at $0.67 [1]. Staff may fly business class."
    scorer = AnswerScorer(FakeEmbedder())
    rows = scorer.support(answer, context)
    # 1: identical to a context sentence (cosine 1); 2: content words {mileage, paid, $0.67}, 2 of 3 in the
    # second context sentence = 0.667 >= 0.6 (cosine 0 with this embedder); 3: no shared content word.
    assert [r.supported for r in rows] == [True, True, False]
    assert rows[0].best_cosine == pytest.approx(1.0) and rows[1].best_overlap == pytest.approx(2 / 3)
    assert rows[2].best_overlap == 0.0 and rows[2].best_cosine == pytest.approx(0.0)
    assert scorer.groundedness(answer, context) == pytest.approx(2 / 3)
    assert scorer.groundedness("Yes [1]", context) == pytest.approx(0.0), "'yes' is a content word, unsupported"
    assert scorer.groundedness("[1]", context) is None, "nothing to check"
    assert scorer.groundedness(answer, []) == 0.0


def test_groundedness_cosine_branch_and_threshold():
    source, paraphrase = "The meal per diem is $75 per day.", "Daily food costs are covered to seventy-five dollars."
    close = 0.75 * axis(0) + math.sqrt(1 - 0.75**2) * axis(1)  # cosine 0.75 to axis(0)
    far = 0.65 * axis(0) + math.sqrt(1 - 0.65**2) * axis(1)
    assert AnswerScorer(FakeEmbedder({source: axis(0), paraphrase: close})).groundedness(paraphrase, [source]) == 1.0
    assert AnswerScorer(FakeEmbedder({source: axis(0), paraphrase: far})).groundedness(paraphrase, [source]) == 0.0
    strict = AnswerScorer(FakeEmbedder({source: axis(0), paraphrase: close}), support_cosine=0.8)
    assert strict.groundedness(paraphrase, [source]) == 0.0


def test_semantic_similarity_and_vector_cache():
    embedder = FakeEmbedder({"Sixteen weeks.": axis(0), "It is sixteen weeks.": 0.6 * axis(0) + 0.8 * axis(1)})
    scorer = AnswerScorer(embedder)
    assert scorer.semantic("It is sixteen weeks. [1]", "Sixteen weeks.") == pytest.approx(0.6)
    calls = embedder.calls
    scorer.semantic("It is sixteen weeks. [1]", "Sixteen weeks.")
    assert embedder.calls == calls, "cached"
    assert sentences("# Heading\n\nOne fact here [1]. Two.") == ["# Heading", "One fact here.", "Two."]


class Scripted:
    """A generation backend that replies from a list and records what it was sent."""

    def __init__(self, replies, name="gpt-4o-mini"):
        self.replies, self.name, self.sent = list(replies), name, []

    def generate(self, messages, max_tokens=None):
        self.sent.append(messages)
        text = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        text = text(messages) if callable(text) else text
        return Generation(text, self.name, TokenUsage(1000, 20), 0.01)


def test_llm_judge_scores_and_prices():
    from core.pricing import price_for

    verdict = llm_judge(Scripted(["SCORE: 1\nREASON: both say 30 days."]), "Notice?", "30 days.", "Thirty (30) days [1].")
    price = price_for("gpt-4o-mini")
    assert verdict.score == 1 and verdict.reason == "both say 30 days."
    assert verdict.dollars == pytest.approx(1000 * price.input + 20 * price.output) and verdict.usage.total == 1020
    unreadable = llm_judge(Scripted(["I think it is fine"], name="my-local-model"), "q", "g", "a")
    assert unreadable.score is None and "no score" in unreadable.reason and unreadable.dollars is None


# ----- summaries ----------------------------------------------------------------------------


def rec(item_id, lane="rag", correct=True, kind="lookup", phase="main", **extra) -> QuestionRecord:
    base = {"answer": "x", "abstained": False, "correct": correct, "em": 0.0, "f1": 0.5, "semantic": 0.8, "grounded": 1.0,
            "prompt_tokens": 100, "completion_tokens": 10, "dollars": 0.001, "latency_ms": 100.0}  # fmt: skip
    return QuestionRecord(item_id, kind, "test", f"question {item_id}", "gold", lane, lane.upper(), phase, **{**base, **extra})


def make_run(records, lanes=("rag",), run_id="r1") -> EvalRun:
    return EvalRun(run_id, "2025-01-01T00:00:00+00:00", "tiny", "fp", 3, {"priced_as": "gpt-4o-mini"}, tuple(lanes),
                   tuple(records))  # fmt: skip


def test_p95_and_cost_per_1k_by_hand():
    # numpy linear: position 0.95 * 4 = 3.8 -> 400 + 0.8 * (1000 - 400) = 880
    assert p95([100, 200, 300, 400, 1000]) == pytest.approx(880.0)
    assert p95([]) is None
    assert cost_per_1k([0.001, 0.002, 0.003]) == pytest.approx(2.0)
    assert cost_per_1k([0.001, None]) is None


def test_summarise_by_hand():
    records = [
        rec("q1", latency_ms=100.0, dollars=0.001, k=5, recall_at_k=1.0, reciprocal_rank=1.0, ndcg_at_10=1.0, evidence_found=True),
        rec("q2", correct=False, latency_ms=200.0, dollars=0.002, k=5, recall_at_k=0.5, reciprocal_rank=0.5, ndcg_at_10=0.5,
            evidence_found=True, em=1.0),
        rec("q3", kind="out_of_corpus", abstained=True, latency_ms=300.0, dollars=0.003),
        rec("q4", kind="out_of_corpus", correct=False, latency_ms=400.0, dollars=0.002),
        rec("q5", correct=False, error="server down", latency_ms=5.0, dollars=None),
        rec("f1", kind="freshness", phase="before_update", correct=True),
        rec("f1", kind="freshness", phase="after_update", correct=False),
        rec("q1", lane="fine_tuned", correct=None, setup="No fine-tuned model is configured."),
    ]  # fmt: skip
    rag, tuned = summarise(make_run(records, ("rag", "fine_tuned")))
    assert rag.n == 5 and rag.accuracy == pytest.approx(2 / 5) and rag.errors == 1
    assert rag.exact_match == pytest.approx(1 / 4) and rag.recall_at_k == pytest.approx(0.75) and rag.k == 5
    assert rag.mrr == pytest.approx(0.75) and rag.evidence_found == 1.0
    assert rag.abstention_out_of_corpus == 0.5 and rag.out_of_corpus_n == 2 and rag.abstention_answerable == 0.0
    assert {t: a for t, a, _ in rag.accuracy_by_type} == {"lookup": pytest.approx(1 / 3), "out_of_corpus": 0.5}
    assert rag.latency_mean_ms == pytest.approx(250.0) and rag.latency_p95_ms == pytest.approx(385.0)
    assert rag.cost_per_1k == pytest.approx(2.0) and "priced as gpt-4o-mini" in rag.cost_label
    assert rag.freshness_before == 1.0 and rag.freshness_after == 0.0 and rag.freshness_n == 1
    assert tuned.n == 0 and tuned.accuracy is None and tuned.setup.startswith("No fine-tuned")
    table = summary_table([rag, tuned])
    lines = table.splitlines()
    assert lines[1].startswith("RAG ") and "0.400" in lines[1] and len(lines) == 4
    assert lines[3].startswith("Fine-tuned: not run. No fine-tuned model")
    unpriced = summarise(make_run([rec("q1", dollars=None), rec("q2")]))[0]
    assert unpriced.cost_per_1k is None and unpriced.cost_label.startswith("price unknown")


# ----- runs: JSON, CSV, store, comparison -------------------------------------------------------------


def test_run_json_round_trip_and_csv():
    run = make_run([rec("q1", retrieved=("a:0", "b:1"), cited=("a:0",), evidence_found=True, k=5),
                    rec("q2", correct=None, setup="set me up", abstained=None)])  # fmt: skip
    again = EvalRun.from_json(run.to_json())
    assert again == run and isinstance(again.records[0].retrieved, tuple)
    rows = run.to_csv().splitlines()
    assert len(rows) == 3 and rows[0].startswith("run_id,item_id,type") and "a:0 b:1" in rows[1]
    with pytest.raises(BadInputError, match="not a saved evaluation run"):
        EvalRun.from_json('{"run_id": "x"}')


def test_run_store_save_list_load_delete(tmp_path):
    store = RunStore(tmp_path / "runs")
    assert store.list() == []
    older, newer = make_run([rec("q1")], run_id="r-old"), make_run([rec("q1"), rec("q2")], run_id="r-new")
    newer = EvalRun(**{**newer.__dict__, "created_at": "2025-02-01T00:00:00+00:00"})
    store.save(older), store.save(newer)
    assert [i.run_id for i in store.list()] == ["r-new", "r-old"] and store.list()[0].questions == 2
    assert store.load("r-old") == older
    assert not list((tmp_path / "runs").glob(".*.tmp")), "no temporary files left"
    store.delete("r-old")
    assert [i.run_id for i in store.list()] == ["r-new"]
    with pytest.raises(BadInputError, match="no saved run"):
        store.load("r-old")
    with pytest.raises(BadInputError, match="not a run id"):
        store.load("../etc/passwd")


def test_compare_runs_flags_regressions_and_flips():
    a = make_run([rec("q1", latency_ms=1000.0), rec("q2", latency_ms=1000.0), rec("q3", correct=False)])
    b = make_run([rec("q1", latency_ms=1050.0), rec("q2", correct=False, latency_ms=1500.0), rec("q3", correct=True)])
    (rag,) = compare_runs(a, b)
    flagged = {d.metric: d for d in rag.regressions}
    assert "accuracy" not in flagged, "2/3 -> 2/3"
    assert set(flagged) == {"latency_mean_ms", "latency_p95_ms"}, "mean 1000 -> 1183 ms is over 10% and 50 ms"
    assert rag.flipped_to_wrong == ("q2",) and rag.flipped_to_right == ("q3",)
    worse = make_run([rec("q1"), rec("q2", correct=False), rec("q3", correct=False)])
    (rag,) = compare_runs(a, worse)
    accuracy = next(d for d in rag.deltas if d.metric == "accuracy")
    assert accuracy.regression and accuracy.delta == pytest.approx(-1 / 3)
    assert compare_runs(a, a)[0].regressions == ()
    fast, noisy = make_run([rec("q1", latency_ms=0.01)]), make_run([rec("q1", latency_ms=0.03)])
    assert compare_runs(fast, noisy)[0].regressions == (), "timer noise under 50 ms is not a regression"


# ----- QA sets --------------------------------------------------------------------------------------------


def test_sample_qa_and_selection():
    items = load_sample_qa()
    assert len(items) == 100
    assert len(select_items(items, "test")) == 36 and len(select_items(items, "all", ["freshness"])) == 7
    assert [i.id for i in select_items(items, "all", limit=2)] == [items[0].id, items[1].id]
    with pytest.raises(ConfigError, match="split 'dev'"):
        select_items(items, "dev")
    with pytest.raises(ConfigError, match="question type 'trivia'"):
        select_items(items, "all", ["trivia"])


def test_upload_csv_with_defaults():
    data = (b"question,answer,evidence,sources\n"
            b"How long is leave?,Sixteen weeks.,Parental leave is sixteen weeks paid.,leave.md\n"
            b'Per diem?,$75,"[""$75 per day"", ""meal per diem""]",expenses.md; policy.md\n')  # fmt: skip
    first, second = parse_qa_upload("mine.csv", data)
    assert (first.id, first.type, first.split, first.sources) == ("row-1", "lookup", "test", ("leave.md",))
    assert second.evidence == ("$75 per day", "meal per diem") and second.sources == ("expenses.md", "policy.md")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("qa.jsonl", b'{"question": "q1", "answer": "a"}\n{"question": "q2"}\n', "qa.jsonl row 2: 'answer' is missing"),
    ("qa.jsonl", b'{"question": "q", "answer": "a"}\nnot json\n', "qa.jsonl row 2: is not JSON"),
    ("qa.jsonl", b'{"question": "q", "answer": "a", "type": "trivia"}\n', "row 1: type 'trivia' is not one of"),
    ("qa.jsonl", b'{"question": "q", "answer": "a", "split": "dev"}\n', "row 1: split 'dev'"),
    ("qa.jsonl", b'{"id": 1, "question": "q", "answer": "a"}\n{"id": 1, "question": "r", "answer": "b"}\n',
     "row 2: duplicate id '1'"),
    ("qa.jsonl", b'{"question": "q", "answer": "a", "type": "freshness"}\n', "needs answer_after_update"),
    ("qa.jsonl", b'{"question": "q", "answer": "a", "evidence": [1]}\n', "'evidence' must be a list of strings"),
    ("qa.jsonl", b"\n\n", "has no questions"),
    ("qa.csv", b"question,reply\nq,a\n", "needs a header row with at least the columns question and answer"),
    ("qa.csv", b"question,answer\nq1,a1\n,a2\n", "qa.csv row 2: 'question' is missing"),
    ("qa.csv", "question,answer\nq,\xe9\n".encode("latin-1"), "is not UTF-8"),
    ("qa.xlsx", b"PK", "upload a .jsonl"),
])  # fmt: skip
def test_upload_errors_name_the_row(name, data, message):
    with pytest.raises(BadInputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_qa_upload(name, data)


def test_generate_qa_with_a_scripted_generator():
    texts = [f"Section {i}. The notice period for contract {i} is {10 + i} days and must be given in writing to the "
             f"other party at its registered address before the end of the month in which notice is served." for i in range(6)]
    chunks = [Chunk(f"d{i}:0", f"d{i}", f"doc{i}.md", 0, t, 0, len(t), 40) for i, t in enumerate(texts)]
    chunks.append(Chunk("short:0", "short", "short.md", 0, "Too short to ask about.", 0, 23, 5))

    def good(messages):
        passage = messages[1]["content"].split("\n\n", 1)[1]
        days = passage.split(" is ")[1].split(" days")[0]
        return json.dumps({"question": "How long is the notice period?", "answer": f"{days} days.",
                           "evidence": f"notice period for contract {passage.split()[1].rstrip('.')} is {days} days"})  # fmt: skip

    generator = Scripted(["Sure! Here you go.", '{"question": "Q?", "answer": "A.", "evidence": "not in the passage"}',
                          good])  # fmt: skip
    progress = []
    result = generate_qa(chunks, generator, n=3, progress=lambda f, m: progress.append(f), seed=1)
    assert len(result.items) == 3 and len(result.skipped) == 2
    assert "not a JSON object" in result.skipped[0] and "not a verbatim quote" in result.skipped[1]
    assert all(i.type == "lookup" and i.split == "test" and i.sources[0].startswith("doc") for i in result.items)
    assert [i.id for i in result.items] == ["gen-001", "gen-002", "gen-003"]
    assert result.usage == TokenUsage(5000, 100) and result.dollars > 0 and progress[-1] == 1.0
    assert all("short.md" not in m[1]["content"] for m in generator.sent), "chunks under 30 words are not used"
    again = generate_qa(chunks, Scripted([good]), n=3, seed=1)
    assert [i.evidence for i in again.items] == [i.evidence for i in generate_qa(chunks, Scripted([good]), n=3, seed=1).items]
    with pytest.raises(ConfigError):
        generate_qa(chunks, generator, n=0)
