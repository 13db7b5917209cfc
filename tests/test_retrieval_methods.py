"""BM25 tokenisers, weighted BM25 scoring with RM3 feedback, score-normalised fusion, MMR
relevance, text normalisation and the ONNX embedding path."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import RetrievalConfig, SparseConfig
from core.errors import ConfigError
from core.index.context import corpus_acronyms, title_acronyms, with_acronyms
from core.index.sparse import SparseIndex
from core.index.tokenize import tokenize
from core.retrieval import fuse
from core.text import normalize_text


def test_technical_tokens_keep_identifiers_sections_and_amounts_whole_and_split():
    tokens = tokenize("Call getUserName in core/index/build.py under Section 12.3(b): fees of $1,500.00", "technical")
    for token in ("getusername", "get", "user", "name", "core/index/build.py", "build", "py",
                  "12.3(b)", "12.3", "1,500.00", "1500"):  # fmt: skip
        assert token in tokens, token
    assert "in" not in tokens and "of" not in tokens  # stop words still go
    words = tokenize("Call getUserName under Section 12.3(b)", "words")
    assert "12.3(b)" not in words and "get" not in words


def test_stemming_joins_word_forms():
    assert tokenize("terminated terminates", stem=True) == ["termin", "termin"]
    assert tokenize("12.3(b) getUserName", "technical", stem=True)[:2] == ["12.3(b)", "12.3"]  # numbers not stemmed


@pytest.fixture(scope="module")
def sparse():
    texts = ["The supplier may terminate on thirty days notice.", "Termination requires written notice by the client.",
             "Invoices are payable within thirty days.", "The meal per diem is seventy five dollars.",
             "Remote work is allowed two days a week."]  # fmt: skip
    return SparseIndex.build([f"c{i}" for i in range(len(texts))], texts, SparseConfig(stem=True))


def test_stemmed_bm25_finds_other_word_forms(sparse):
    assert {cid for cid, _ in sparse.search("terminating", 2)} == {"c0", "c1"}  # terminate, termination


def test_zero_score_chunks_fill_the_list_after_the_scoring_ones_and_filters_hold(sparse):
    hits = sparse.search("meal per diem", 5)
    assert hits[0][0] == "c3" and len(hits) == 5 and all(s == 0 for _, s in hits[1:])
    assert {cid for cid, _ in sparse.search("meal", 5, allowed={"c1", "c2"})} == {"c1", "c2"}


def test_rm3_expansion_adds_feedback_terms_and_keeps_the_query_weight(sparse):
    weights = sparse.query_weights("supplier")  # only c0 has it
    expanded = sparse.expand(weights, np.array([0]), terms=3, keep=0.5)
    assert set(weights) < set(expanded) and len(expanded) == 3  # the feedback model's 3 best terms include the query's
    assert sum(expanded.values()) == pytest.approx(1.0)
    assert expanded[next(iter(weights))] >= 0.5
    plain = dict(sparse.search("supplier", 5))
    fed = dict(sparse.search("supplier", 5, prf=(3, 1, 0.5)))
    assert max(fed, key=fed.get) == "c0"
    assert plain["c1"] == 0 and fed["c1"] > 0  # c1 shares c0's terms (notice, terminate), not the query's


def test_convex_fusions_normalise_each_list():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    bm25 = [("c", 30.0), ("d", 10.0), ("a", 9.0)]
    for fusion in ("weighted", "zscore"):
        fused = fuse(dense, bm25, RetrievalConfig(fusion=fusion, dense_weight=0.5))
        assert {cid for cid, _ in fused} == {"a", "b", "c", "d"}
        assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)
        assert fused[0][0] in ("a", "c")
    only_dense = fuse(dense, bm25, RetrievalConfig(fusion="zscore", dense_weight=1.0))
    assert [cid for cid, _ in only_dense][:2] == ["a", "b"]
    with pytest.raises(ConfigError, match="fusion"):
        RetrievalConfig(fusion="max")
    with pytest.raises(ConfigError, match="candidates"):
        RetrievalConfig(candidates=5000)


def test_normalize_text_keeps_code_indentation():
    code = "def f(x):\n    if x:\n        return  x\n\n\n\n\treturn 0   "
    assert normalize_text(code) == "def f(x):\n    if x:\n        return x\n\n\treturn 0"


def test_sparse_config_is_checked_and_round_trips(tmp_path, sparse):
    with pytest.raises(ConfigError, match="k1"):
        SparseConfig(k1=-1)
    with pytest.raises(ConfigError, match="method"):
        SparseConfig(method="tfidf")
    sparse.save(tmp_path / "bm25")
    loaded = SparseIndex.load(tmp_path / "bm25")
    assert loaded.config == sparse.config and loaded.search("terminating", 2) == sparse.search("terminating", 2)


@pytest.mark.slow
def test_onnx_vectors_match_torch_and_the_export_is_reused(data_dir, monkeypatch):
    from core.embedding import _load
    from core.onnx_embed import _export, onnx_encoder, onnx_status

    model = _load("all-MiniLM-L6-v2")
    encoder = onnx_encoder("all-MiniLM-L6-v2", model)
    if encoder is None:
        pytest.fail(f"ONNX path unavailable: {onnx_status.get('all-MiniLM-L6-v2')}")
    texts = ["Mileage is reimbursed at $0.67 per mile.", "    indented code line", "x " * 400]
    reference = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert np.min(np.sum(reference * encoder.encode(texts), axis=1)) >= 0.999
    path = _export(model)
    assert path.is_file() and path.parent.parent == data_dir / "models" / "onnx"
    assert not list(path.parent.glob("*.tmp"))  # written under a temporary name, then renamed
    monkeypatch.setenv("PLAYGROUND_EMBED_BACKEND", "torch")
    assert onnx_encoder("all-MiniLM-L6-v2", model) is None and "torch" in onnx_status["all-MiniLM-L6-v2"]


def test_title_acronyms_are_the_ones_the_corpus_writes():
    known = corpus_acronyms(["Under the NDA and the MSA, see SOW No. 1.", "The LLP and the GDPR; IT and AI."])
    assert known == {"NDA", "MSA", "SOW", "LLP", "GDPR"}  # 3-6 capitals only: IT and AI are too short to trust
    assert title_acronyms("Mutual Non-Disclosure Agreement", known) == ["NDA"]
    assert title_acronyms("Statement of Work No. 1", known) == ["SOW"]
    assert title_acronyms("Master Services Agreement", known) == ["MSA"]
    assert title_acronyms("Harrow & Vale LLP Leave Policy", known) == []  # capitals and '&' break a run
    assert title_acronyms("Data Processing Addendum", known) == []  # DPA is not written anywhere
    assert with_acronyms("Master Services Agreement > 7. Term", ["MSA"]) == "Master Services Agreement > 7. Term | MSA"
    assert with_acronyms("", ["MSA"]) == "MSA" and with_acronyms("Title", []) == "Title"
