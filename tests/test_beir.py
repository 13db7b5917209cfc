"""`python -m core beir`: retrieval metrics on a BEIR-format folder, chunked or prechunked."""

from __future__ import annotations

import json
import math

import pytest

from core.cli import run
from core.errors import BadInputError

CORPUS = [
    ("d1", "Notice", "Either party may terminate the agreement on thirty days written notice."),
    ("d2", "Per diem", "The domestic meal per diem is seventy five dollars per day."),
    ("d3", "Leave", "Parental leave is sixteen weeks of paid leave for every parent."),
    ("d4", "Mileage", "Mileage for a personal car is reimbursed at sixty seven cents per mile."),
    ("d5", "Holidays", "The firm observes eleven paid holidays including Juneteenth."),
]
QUERIES = [("q1", "How much notice to terminate the agreement?"), ("q2", "meal per diem dollars"),
           ("q3", "weeks of parental leave"), ("q4", "unjudged query")]  # fmt: skip
QRELS = [("q1", "d1", 1), ("q2", "d2", 2), ("q2", "d4", 1), ("q3", "d3", 1)]


@pytest.fixture()
def beir_folder(tmp_path):
    folder = tmp_path / "tiny-beir"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": t, "text": x}) for i, t, x in CORPUS))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": i, "text": t}) for i, t in QUERIES))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(f"{q}\t{d}\t{s}" for q, d, s in QRELS))
    return folder


@pytest.mark.parametrize("extra", [["--prechunked"], ["--strategy", "sentence", "--chunk-size", "32", "--overlap", "0"]])
def test_beir_cli_prints_metrics(data_dir, beir_folder, capsys, extra):
    assert run(["beir", str(beir_folder), "--mode", "bm25", "--json", *extra]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["queries"] == 3 and out["documents"] == 5
    assert out["mrr"] == 1.0 and out["recall@5"] == 1.0
    # q2: d2 (gain 2) first is ideal only if d4 (gain 1) comes later; both must be in the top 10
    assert 0.0 < out["ndcg@10"] <= 1.0
    assert set(out) >= {"ndcg@10", "recall@5", "recall@10", "recall@20", "mrr"}


def test_beir_hybrid_runs(data_dir, beir_folder, capsys):
    assert run(["beir", str(beir_folder), "--mode", "hybrid", "--prechunked", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recall@20"] == 1.0


class FixedRanking:
    """A retriever that returns chunks of the given corpus ids in a fixed order."""

    def __init__(self, order):
        self.order = order

    def retrieve(self, query, k):
        from core.types import Chunk, Hit

        return [Hit(Chunk(f"{d}:{n}", d, d, n, "x", 0, 1, 1), 1.0 / r, r)
                for r, (d, n) in enumerate(self.order, start=1)][:k]  # fmt: skip


def test_document_level_metrics_by_hand():
    from core.beir import evaluate_beir

    # duplicate chunks of d4 collapse to its first occurrence; ranking is d4, d9, d2
    ranking = FixedRanking([("d4", 0), ("d4", 1), ("d9", 0), ("d2", 0)])
    scores = evaluate_beir(ranking, {"q2": "meal per diem"}, {"q2": {"d2": 2, "d4": 1}})
    dcg = 1 / math.log2(2) + 2 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert scores["ndcg@10"] == pytest.approx(round(dcg / ideal, 4))
    assert scores["mrr"] == 1.0 and scores["recall@5"] == 1.0 and scores["queries"] == 1
    missing = evaluate_beir(FixedRanking([("d9", 0)]), {"q2": "x"}, {"q2": {"d2": 1}})
    assert missing["mrr"] == 0.0 and missing["recall@20"] == 0.0 and missing["ndcg@10"] == 0.0


def test_missing_files_say_what_a_beir_folder_holds(tmp_path):
    from core.beir import load_beir

    with pytest.raises(BadInputError, match="corpus.jsonl, queries.jsonl and qrels"):
        load_beir(tmp_path)
