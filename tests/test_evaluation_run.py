"""evaluate() on a small corpus with the extractive reader, freshness before/after updates,
retrieval metrics against pytrec_eval (reference implementation), and `python -m core evaluate`."""

from __future__ import annotations

import json
import math
import sys

import pytest

from core.config import IngestConfig
from core.evaluation.freshness import replace_documents, sample_versions, variant
from core.evaluation.run import evaluate, evaluate_freshness, gold_from_index
from core.evaluation.summary import summarise
from core.lanes import LaneConfig
from core.metrics import ndcg_at_k, recall_at_k, reciprocal_rank
from core.qa import QAItem
from core.types import Generation, SourceFile, TokenUsage
from tests.test_index import DOCS
from tests.test_lanes import context
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)

LEAVE = QAItem("leave", "How many weeks of paid parental leave?", "Sixteen weeks.",
               ("Parental leave is sixteen weeks paid.",), ("leave.md",), "lookup", "test")  # fmt: skip
DIEM = QAItem("diem", "What is the domestic meal per diem?", "$75 per day.",
              ("The domestic meal per diem is $75 per day.",), ("expenses.md",), "freshness", "train",
              answer_after_update="$90 per day.", evidence_after_update=("The domestic meal per diem is $90 per day.",))  # fmt: skip
PETS = QAItem("pets", "Which dog breeds may come to the office on Fridays?", "The documents do not answer this question.",
              (), (), "out_of_corpus", "test")  # fmt: skip
LANES = [LaneConfig(k) for k in ("rag", "rag_rerank", "long_context", "closed_book", "fine_tuned")]


@pytest.fixture(scope="module")
def run(index):  # noqa: F811
    store, idx = index
    ctx = context(idx, store)
    progress = []
    result = evaluate([LEAVE, DIEM, PETS], ctx, LANES, gold_from_index(idx, ctx.documents), idx.embedder,
                      progress=lambda f, m: progress.append((f, m)), corpus=store.get(idx.corpus_id))  # fmt: skip
    return result, progress


def test_evaluate_scores_every_question_and_lane(run):
    result, progress = run
    assert len(result.records) == 3 * len(LANES) and result.lanes == tuple(c.kind for c in LANES)
    assert result.corpus_id and result.corpus_revision and result.settings["answered_by"] == "extractive reader (no LLM)"
    by = {(r.item_id, r.lane): r for r in result.records}
    rag = by["leave", "rag"]
    assert rag.correct and "sixteen weeks" in rag.answer and rag.grounded == 1.0, "the reader quotes its context"
    assert rag.evidence_found and rag.recall_at_k == 1.0 and rag.k == 5 and rag.reciprocal_rank > 0 and rag.ndcg_at_10 > 0
    assert rag.prompt_tokens > 0 and rag.dollars > 0 and rag.latency_ms > 0 and rag.cited and rag.retrieved
    assert 0 < rag.f1 < 1 and rag.em == 0.0 and 0 < rag.semantic <= 1
    assert by["diem", "rag"].correct and "$75" in by["diem", "rag"].answer, "main phase: gold follows the corpus ($75)"
    long = by["leave", "long_context"]
    assert long.correct and long.grounded == 1.0 and long.recall_at_k is None and long.evidence_found is None
    closed = by["leave", "closed_book"]
    assert closed.abstained and not closed.correct and closed.grounded is None and closed.f1 == 0.0 and closed.semantic == 0.0
    pets = by["pets", "rag"]
    assert pets.em == float(pets.abstained) and pets.semantic is None and pets.recall_at_k is None
    assert by["pets", "closed_book"].correct, "abstaining on an out-of-corpus question is right"
    tuned = by["leave", "fine_tuned"]
    assert tuned.setup and tuned.correct is None and tuned.latency_ms is None
    assert [f for f, _ in progress] == sorted(f for f, _ in progress) and progress[-1][0] == 1.0
    assert progress[0][1].startswith("Question 1/3")


def test_summary_of_the_run(run):
    result, _ = run
    summary = {s.lane: s for s in summarise(result)}
    assert summary["rag"].n == 3 and summary["rag"].recall_at_k == 1.0 and summary["rag"].cost_per_1k > 0
    assert summary["closed_book"].abstention_out_of_corpus == 1.0 and summary["closed_book"].accuracy == pytest.approx(1 / 3)
    assert summary["long_context"].cost_per_1k > summary["rag"].cost_per_1k
    assert summary["fine_tuned"].n == 0 and summary["fine_tuned"].setup
    assert summary["rag"].latency_p95_ms >= summary["rag"].latency_mean_ms > 0


def test_record_retrieval_metrics_match_pytrec_eval(run, index):  # noqa: F811
    pytrec_eval = pytest.importorskip("pytrec_eval")
    store, idx = index
    gold = gold_from_index(idx, store.load_documents(idx.corpus_id))
    items = {i.id: i for i in (LEAVE, DIEM)}
    checked = recall_checked = 0
    for record in run[0].records:
        if record.recall_at_k is None:
            continue
        (relevant,) = gold(items[record.item_id])  # one quote each
        qrels = {"q": dict.fromkeys(relevant, 1)}
        ranking = {"q": {cid: 1.0 / rank for rank, cid in enumerate(record.retrieved, start=1)}}
        ref = pytrec_eval.RelevanceEvaluator(qrels, {"recall.5", "recip_rank", "ndcg_cut.10"}).evaluate(ranking)["q"]
        if len(relevant) == 1:  # share of quotes found == share of relevant chunks found
            assert record.recall_at_k == pytest.approx(ref["recall_5"])
            recall_checked += 1
        assert record.reciprocal_rank == pytest.approx(ref["recip_rank"])
        assert record.ndcg_at_10 == pytest.approx(ref["ndcg_cut_10"])
        checked += 1
    assert checked == 4 and recall_checked >= 2


RUNS = {  # ranked chunk ids per query; the chunk's document is the part before ":"
    "q1": ["a:0", "b:0", "a:1", "c:0", "d:0", "b:1", "e:0", "f:0", "g:0", "h:0", "a:2", "i:0"],
    "q2": ["c:1", "d:0", "e:0", "f:0", "g:0", "h:0", "i:0", "j:0", "k:0", "b:2", "c:2"],
    "q3": ["x:0", "y:0", "z:0"],
    "q4": ["b:0", "b:1", "a:0", "c:3", "b:2"],
}
QRELS = {"q1": {"a:1", "b:1", "a:2"}, "q2": {"b:2", "c:2"}, "q3": {"w:0"}, "q4": {"b:1", "c:3"}}


@pytest.mark.parametrize("level", ["chunk", "document"])
def test_retrieval_metrics_match_pytrec_eval(level):
    pytrec_eval = pytest.importorskip("pytrec_eval")
    doc = (lambda cid: cid.split(":")[0]) if level == "document" else (lambda cid: cid)
    runs, qrels = {}, {}
    for q, ranked in RUNS.items():
        ids = list(dict.fromkeys(doc(c) for c in ranked))  # first occurrence keeps its rank
        runs[q] = ids
        qrels[q] = {doc(c) for c in QRELS[q]}
    measures = {"recall.1", "recall.3", "recall.5", "recall.10", "recip_rank", "ndcg_cut.10"}
    ref = pytrec_eval.RelevanceEvaluator({q: dict.fromkeys(r, 1) for q, r in qrels.items()}, measures).evaluate(
        {q: {cid: 1.0 / n for n, cid in enumerate(ids, start=1)} for q, ids in runs.items()})
    for q, ids in runs.items():
        per_item = [{g} for g in sorted(qrels[q])]  # one gold id per quote
        for k in (1, 3, 5, 10):
            assert recall_at_k(ids, per_item, k) == pytest.approx(ref[q][f"recall_{k}"]), (q, k)
        assert reciprocal_rank(ids, per_item) == pytest.approx(ref[q]["recip_rank"]), q
        assert ndcg_at_k(ids, qrels[q], 10) == pytest.approx(ref[q]["ndcg_cut_10"]), q
    # and one by hand: q4 chunk level, gold b:1 (rank 2) and c:3 (rank 4)
    assert ndcg_at_k(RUNS["q4"], QRELS["q4"], 10) == pytest.approx((1 / 1.5849625 + 1 / 2.3219281) / (1 + 1 / 1.5849625))


def test_freshness_before_and_after_updates(index):  # noqa: F811
    store, idx = index
    documents = store.load_documents(idx.corpus_id)
    revision = store.get(idx.corpus_id).revision
    updated = [SourceFile("expenses.md", DOCS["expenses.md"].replace("$75", "$90").encode())]
    from core.ingest import parse_file

    new_doc = parse_file(updated[0], IngestConfig())
    after_index, after_docs = variant(idx, documents, [new_doc])
    same_index, _ = variant(idx, documents, [d for d in documents if d.name == "expenses.md"])
    assert same_index is idx, "replacing a document by itself changes nothing"
    changed = [c for c in after_index.chunks if c.doc_name == "expenses.md"]
    assert after_index.stats.embedded_chunks == len(changed) > 0 and all("$75" not in c.text for c in changed)
    assert len(after_index.chunks) == len(idx.chunks) - len([c for c in idx.chunks if c.doc_name == "expenses.md"]) + len(changed)
    assert [d.name for d in after_docs] == [d.name for d in documents] and "$90" in next(d for d in after_docs if d.name == "expenses.md").text
    assert store.get(idx.corpus_id).revision == revision, "the stored corpus is not changed"

    class Judge:
        name = "gpt-4o-mini"

        def generate(self, messages, max_tokens=None):  # 1 when the gold's first word is in the answer
            gold, answer = messages[1]["content"].split("Reference answer: ")[1].split("\n\nAnswer to grade: ")
            ok = gold.split()[0] in answer
            return Generation(f"SCORE: {int(ok)}\nREASON: checked", self.name, TokenUsage(200, 10), 0.01)

    before_ctx, after_ctx = context(idx, store), context(after_index, store)
    after_ctx = after_ctx.__class__(**{**after_ctx.__dict__, "documents": after_docs})
    base = evaluate([LEAVE], before_ctx, [LaneConfig("rag"), LaneConfig("long_context")],
                    gold_from_index(idx, documents), idx.embedder)  # fmt: skip
    stops = iter([False, False, False])
    result = evaluate_freshness(base, [LEAVE, DIEM], before_ctx, after_ctx, [LaneConfig("rag"), LaneConfig("long_context")],
                                gold_from_index(idx, documents), gold_from_index(after_index, after_docs), idx.embedder,
                                judge_generator=Judge(), stop=lambda: next(stops, False))  # fmt: skip
    phases = {(r.phase, r.lane): r for r in result.records if r.item_id == "diem"}
    assert set(phases) == {(p, lane) for p in ("before_update", "after_update") for lane in ("rag", "long_context")}
    for lane in ("rag", "long_context"):
        before, after = phases["before_update", lane], phases["after_update", lane]
        assert before.gold == "$75 per day." and "$75" in before.answer and before.correct, lane
        assert after.gold == "$90 per day." and "$90" in after.answer and after.correct, lane
        assert after.judge_score == 1 and after.judge_dollars > 0 and before.judge_score == 1
    assert phases["after_update", "rag"].evidence_found and phases["after_update", "rag"].recall_at_k == 1.0
    summary = {s.lane: s for s in summarise(result)}
    assert summary["rag"].freshness_before == 1.0 and summary["rag"].freshness_after == 1.0 and summary["rag"].freshness_n == 1
    assert summary["rag"].n == 1, "freshness records are not in the main figures"
    stopped = evaluate([LEAVE, DIEM], before_ctx, [LaneConfig("rag")], gold_from_index(idx, documents), idx.embedder,
                       stop=iter([False, True]).__next__)  # fmt: skip
    assert stopped.stopped and len(stopped.records) == 1


def test_sample_versions_pair_originals_with_updates():
    originals, updates = sample_versions()
    assert [d.name for d in originals] == [d.name for d in updates] and len(updates) == 3
    assert all(a.doc_id != b.doc_id for a, b in zip(originals, updates))
    replaced = replace_documents(originals, updates[:1])
    assert replaced[0] is updates[0] and replaced[1:] == tuple(originals[1:])


def test_cli_evaluate_json_with_an_uploaded_qa_set_and_updates(data_dir, tmp_path, capsys):
    from core.cli import run as cli
    from core.store import CorpusStore

    store = CorpusStore(data_dir)
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    qa = tmp_path / "qa.jsonl"
    rows = [LEAVE, DIEM, PETS, QAItem("notice", "How much notice to terminate the NDA?", "Thirty days.",
                                      ("terminate this agreement on thirty days written notice",), ("nda.md",), "lookup", "test")]  # fmt: skip
    qa.write_text("\n".join(json.dumps({**r.__dict__, "evidence": list(r.evidence), "sources": list(r.sources),
                                        "evidence_after_update": list(r.evidence_after_update)}) for r in rows))  # fmt: skip
    updates = tmp_path / "updates"
    updates.mkdir()
    (updates / "expenses.md").write_text(DOCS["expenses.md"].replace("$75", "$90"))
    args = ["evaluate", "--corpus", "Tiny", "--qa", str(qa), "--split", "all", "--limit", "4", "--lanes", "rag,closed_book",
            "--updates", str(updates), "--save", "--json"]  # fmt: skip
    assert cli(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["lane"] for s in out["summary"]] == ["rag", "closed_book"] and out["summary"][0]["n"] == 4
    assert {r["phase"] for r in out["records"]} == {"main", "before_update", "after_update"}
    assert out["summary"][0]["freshness_after"] == 1.0 and out["settings"]["split"] == "all"
    assert out["corpus"]["id"] == "tiny" and out["saved"] and (data_dir / "runs" / f"{out['run_id']}.json").is_file()
    assert cli(["evaluate", "--corpus", "Tiny", "--qa", str(qa), "--split", "all", "--lanes", "rag", "--no-freshness"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("lane") and text.splitlines()[1].startswith("RAG") and "freshness: not scored" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--types", "trivia"], "error: question type 'trivia' is not one of"),
    (["--lanes", "telepathy"], "error: lane 'telepathy' is not one of"),
    (["--qa", "/nonexistent/qa.jsonl"], "error: /nonexistent/qa.jsonl: no such file"),
])  # fmt: skip
def test_cli_evaluate_errors_exit_2_with_one_line(data_dir, monkeypatch, capsys, argv, message):
    from core.cli import main
    from core.store import CorpusStore

    CorpusStore(data_dir).create("Tiny")
    monkeypatch.setattr(sys, "argv", ["python -m core", "evaluate", "--corpus", "Tiny", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(message) and err.count("\n") == 1


def test_score_result_retrieval_metrics_by_hand_and_against_pytrec_eval():
    pytrec_eval = pytest.importorskip("pytrec_eval")
    from core.evaluation.answers import AnswerScorer
    from core.evaluation.run import score_result
    from core.lanes import LaneResult
    from core.types import Answer, Chunk, Citation, Hit
    from tests.test_evaluation import FakeEmbedder

    texts = ["Staff accrue twenty vacation days.", "Sick leave is ten days.", "Parental leave is sixteen weeks paid.",
             "Leave requests go to HR.", "Carry-over is five days."]  # fmt: skip
    hits = tuple(Hit(Chunk(f"c{i}", "d", "leave.md", i, t, 0, len(t), 8), 1.0 / i, i) for i, t in enumerate(texts, start=1))
    answer = Answer("Parental leave is sixteen weeks paid. [1]", (Citation(1, "c3", "leave.md", None, texts[2]),), False, "r")
    result = LaneResult("rag", "RAG", answer, hits, timings_ms=(("retrieve", 12.0), ("generate", 30.0)))
    gold = [{"c3"}, {"c9"}]  # two quotes: one retrieved at rank 3, one not retrieved
    record = score_result(LEAVE, LEAVE.answer, gold, LaneConfig("rag", top_k=5), result, None, AnswerScorer(FakeEmbedder()))
    # recall@5: 1 of 2 quotes found; RR: first gold at rank 3; nDCG@10: (1/log2 4) / (1 + 1/log2 3)
    assert record.recall_at_k == 0.5 and record.reciprocal_rank == pytest.approx(1 / 3) and record.evidence_found
    assert record.ndcg_at_10 == pytest.approx(0.5 / (1 + 1 / math.log2(3)))
    assert record.latency_ms == 42.0 and record.grounded == 1.0 and record.cited == ("c3",) and record.correct
    ref = pytrec_eval.RelevanceEvaluator({"q": {"c3": 1, "c9": 1}}, {"recall.5", "recip_rank", "ndcg_cut.10"}).evaluate(
        {"q": {h.chunk.chunk_id: h.score for h in hits}})["q"]
    assert (record.recall_at_k, record.reciprocal_rank, record.ndcg_at_10) == pytest.approx(
        (ref["recall_5"], ref["recip_rank"], ref["ndcg_cut_10"]))
