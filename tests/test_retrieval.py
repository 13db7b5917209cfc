"""Retriever invariants over every mode and fusion, filters, and QA-set scoring."""

from __future__ import annotations

import pytest

from core.config import ChunkConfig, IndexConfig, RetrievalConfig
from core.errors import BadInputError
from core.index import build_index
from core.qa import QAItem
from core.retrieval import IndexRetriever
from core.retrieval_eval import evaluate_retrieval
from core.types import SourceFile
from tests.test_index import DOCS

CONFIGS = [
    RetrievalConfig(mode="dense"),
    RetrievalConfig(mode="bm25"),
    RetrievalConfig(mode="hybrid", fusion="rrf"),
    RetrievalConfig(mode="hybrid", fusion="weighted", dense_weight=0.7),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from core.config import IngestConfig
    from core.store import CorpusStore

    store = CorpusStore(tmp_path_factory.mktemp("data"))
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    return store, build_index(store, cid, IndexConfig(chunk=ChunkConfig(chunk_size=16, chunk_overlap=0, strategy="sentence")))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.fusion}")
@pytest.mark.parametrize("k", [1, 3, 50])
def test_retriever_invariants(index, config, k):
    _, idx = index
    hits = IndexRetriever(idx, config).retrieve("How long is parental leave?", k)
    assert 0 < len(hits) <= k
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk.chunk_id for h in hits}) == len(hits)
    known = {c.chunk_id for c in idx.chunks}
    assert all(h.chunk.chunk_id in known for h in hits)
    final = "fused" if config.mode == "hybrid" else config.mode
    assert all(h.stage(final) is not None for h in hits)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.fusion}")
def test_filters_are_respected(index, config):
    _, idx = index
    only_nda = RetrievalConfig(mode=config.mode, fusion=config.fusion, documents=("nda.md",))
    assert {h.chunk.doc_name for h in IndexRetriever(idx, only_nda).retrieve("parental leave weeks", 10)} <= {"nda.md"}
    tags = {"leave.md": ("hr",), "expenses.md": ("finance",)}
    viewer = RetrievalConfig(mode=config.mode, fusion=config.fusion, viewer_tags=("finance",))
    names = {h.chunk.doc_name for h in IndexRetriever(idx, viewer, tags).retrieve("parental leave weeks", 10)}
    assert "leave.md" not in names and names <= {"nda.md", "expenses.md"}


def test_bad_questions_are_rejected(index):
    _, idx = index
    retriever = IndexRetriever(idx, RetrievalConfig())
    with pytest.raises(BadInputError, match="is empty"):
        retriever.retrieve("   ", 5)
    with pytest.raises(BadInputError, match="10,000 characters"):
        retriever.retrieve("x" * 10_000, 5)


def test_qa_scoring_on_a_hand_made_item(index):
    store, idx = index
    documents = {d.name: d for d in store.load_documents(idx.corpus_id)}
    item = QAItem("t1", "How many weeks of paid parental leave?", "Sixteen weeks.",
                  ("Parental leave is sixteen weeks paid.",), ("leave.md",), "lookup", "test")  # fmt: skip
    missing = QAItem("t2", "What is the pet policy?", "n/a", ("Dogs are welcome on Fridays.",), ("leave.md",), "lookup", "test")
    scores = evaluate_retrieval(IndexRetriever(idx, RetrievalConfig(mode="bm25")), idx.chunks, documents, [item, missing])
    assert scores.questions == 1 and scores.unlocated == 1
    assert scores.recall_at(1) == 1.0 and scores.mrr == 1.0 and scores.ndcg_at_10 == 1.0


def test_sample_access_tags_limit_what_a_viewer_retrieves(store, config):
    from core.sample import load_sample, sample_tags

    info, _ = load_sample(store, config)
    tags = {d.name: d.tags for d in info.documents}
    assert tags["memo_limitation_of_liability.md"] == ("lawyers",) and set(sample_tags()) == set(tags)
    index = build_index(store, info.corpus_id, IndexConfig(chunk=ChunkConfig(chunk_size=1024, chunk_overlap=0)))
    staff = IndexRetriever(index, RetrievalConfig(mode="bm25", viewer_tags=("staff",)), tags)
    names = {h.chunk.doc_name for h in staff.retrieve("liability cap data breach memo", 20)}
    assert names and all("staff" in tags[n] for n in names)
    everyone = IndexRetriever(index, RetrievalConfig(mode="bm25"), tags)
    assert any("lawyers" in tags[h.chunk.doc_name] for h in everyone.retrieve("liability cap data breach memo", 20))
    store.set_tags(info.corpus_id, "leave_policy.md", [" Staff ", "HR", ""])
    assert store.get(info.corpus_id).document("leave_policy.md").tags == ("hr", "staff")


def test_chunk_size_sweep_scores_each_size(index):
    from core.sweep import sweep_chunk_sizes

    store, idx = index
    item = QAItem("t1", "How many weeks of paid parental leave?", "Sixteen weeks.",
                  ("Parental leave is sixteen weeks paid.",), ("leave.md",), "lookup", "test")  # fmt: skip
    seen = []
    results = sweep_chunk_sizes(store, idx.corpus_id, idx.config, RetrievalConfig(mode="bm25"), [16, 64], [item],
                                lambda f, m: seen.append(f))  # fmt: skip
    assert [size for size, _ in results] == [16, 64]
    assert all(scores.questions == 1 and scores.recall_at(5) == 1.0 for _, scores in results)
    assert seen[-1] == 1.0 and seen == sorted(seen)
