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


def test_bm25_mode_embeds_nothing_and_reports_what_it_used(data_dir, beir_folder, capsys, monkeypatch):
    from core.embedding import SentenceTransformerEmbedder

    def refuse(self, texts, progress=None):
        raise AssertionError("--mode bm25 must not embed")

    monkeypatch.setattr(SentenceTransformerEmbedder, "embed", refuse)
    assert run(["beir", str(beir_folder), "--mode", "bm25", "--prechunked", "--stem", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)  # progress goes to stderr, never into the JSON
    assert out["index"]["chunk"] is None and out["index"]["embedder"] is None  # not used, so not reported
    assert out["index"]["sparse"]["stem"] is True and out["embedded_now"] == 0
    assert "BEIR index: 100% BM25 over 5 chunks" in captured.err


def test_index_key_changes_with_everything_that_changes_vectors(beir_folder):
    from core.beir import _beir_chunks, beir_index_key, load_beir
    from core.config import ChunkConfig, IndexConfig, SparseConfig
    from core.index.context import compose

    corpus = load_beir(beir_folder)[0]

    def key(corpus, config, prechunked=True, doc_field=None):
        chunks, heads, _ = _beir_chunks(corpus, config, prechunked, doc_field, None)
        texts = [compose(c.text, h if config.dense_headers else None, None) for c, h in zip(chunks, heads)]
        return beir_index_key(chunks, texts, config.embedder)

    plain = key(corpus, IndexConfig())
    assert key(corpus, IndexConfig(embedder="other-model")) != plain
    assert key(corpus, IndexConfig(chunk=ChunkConfig("sentence", 16, 0)), prechunked=False) != plain
    edited = {**corpus, "d1": {**corpus["d1"], "text": "changed"}}
    assert key(edited, IndexConfig()) != plain
    grouped = {cid: {**row, "metadata": {"doc_id": "all"}} for cid, row in corpus.items()}
    headed = IndexConfig(contextual_headers=True, header_target="both")
    assert key(grouped, headed, doc_field="doc_id") != key(grouped, IndexConfig(contextual_headers=False), doc_field="doc_id")
    # BM25-only settings and BM25-side headers never re-embed
    assert key(corpus, IndexConfig(sparse=SparseConfig(stem=True))) == plain
    assert key(grouped, IndexConfig(contextual_headers=True, header_target="bm25"), doc_field="doc_id") == plain


def test_prechunked_headers_use_the_shared_document_and_never_an_id(tmp_path):
    from core.beir import build_beir_index
    from core.config import IndexConfig

    corpus = {"a-1": {"_id": "a-1", "title": "", "text": "The Supplier shall keep the data in the EU.",
                      "metadata": {"doc_id": "dpa"}},
              "a-2": {"_id": "a-2", "title": "Data Processing Addendum", "text": "Breaches are notified within 48 hours.",
                      "metadata": {"doc_id": "dpa"}},
              "b-1": {"_id": "b-1", "title": "", "text": "Lone line without a title."}}  # fmt: skip
    config = IndexConfig(contextual_headers=True, header_target="bm25")
    alone = build_beir_index(corpus, config, tmp_path, True, dense=False)
    assert all("a-1" not in t and "b-1" not in t for t in alone.sparse_texts or alone.indexed)
    grouped = build_beir_index(corpus, config, tmp_path, True, dense=False, doc_field="doc_id")
    texts = dict(zip((c.doc_name for c in grouped.chunks), grouped.sparse_texts))
    assert texts["a-1"].startswith("Data Processing Addendum")  # the document's title reaches its untitled line
    assert texts["b-1"] == "Lone line without a title."


def test_hybrid_queries_are_embedded_in_one_batch(data_dir, beir_folder, capsys, monkeypatch):
    from core.embedding import SentenceTransformerEmbedder

    calls = []
    original = SentenceTransformerEmbedder.embed

    def counting(self, texts, progress=None):
        calls.append(len(texts))
        return original(self, texts, progress)

    monkeypatch.setattr(SentenceTransformerEmbedder, "embed", counting)
    assert run(["beir", str(beir_folder), "--mode", "hybrid", "--fusion", "zscore", "--prechunked", "--json"]) == 0
    assert calls == [5, 3]  # the corpus once, then the three judged queries together


def test_bm25_headers_carry_title_acronyms_the_corpus_writes(tmp_path):
    from core.beir import build_beir_index
    from core.config import IndexConfig

    corpus = {"a": {"title": "Low Density Lipoprotein", "text": "Particles carry cholesterol in the blood."},
              "b": {"title": "", "text": "High LDL raises heart risk."}}  # fmt: skip
    on = build_beir_index(corpus, IndexConfig(), tmp_path, True, dense=False)
    off = build_beir_index(corpus, IndexConfig(title_acronyms=False), tmp_path, True, dense=False)
    assert on.sparse_texts[0].startswith("LDL\n\n") and "LDL" not in (off.sparse_texts or off.indexed)[0]
    scoring = lambda index: {cid for cid, score in index.sparse.search("LDL", 2) if score > 0}  # noqa: E731
    assert scoring(on) == {c.chunk_id for c in on.chunks} and scoring(off) == {off.chunks[1].chunk_id}
