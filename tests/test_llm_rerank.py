"""The LLM reranker parses scores, runs calls in parallel and keeps unparseable replies last."""

from __future__ import annotations

import threading

from core.config import RetrievalConfig
from core.rerank import LLMReranker, RerankingRetriever
from core.retrieval import IndexRetriever
from core.types import Generation, TokenUsage
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


class ScriptedJudge:
    """A generator that scores passages mentioning 'sixteen' 9, others 2, and one reply garbage."""

    name = "scripted"

    def __init__(self):
        self.calls = 0
        self.lock = threading.Lock()

    def generate(self, messages, max_tokens=None):
        with self.lock:
            self.calls += 1
        passage = messages[-1]["content"]
        text = "9" if "sixteen" in passage else "no idea" if "mileage" in passage.lower() else "Score: 2"
        return Generation(text, "scripted", TokenUsage(len(passage) // 4, 1), 0.01)


def test_llm_reranker_orders_by_judged_relevance(index):  # noqa: F811
    _, idx = index
    judge = ScriptedJudge()
    base = IndexRetriever(idx, RetrievalConfig(mode="hybrid"))
    candidates = base.retrieve("How long is parental leave?", 10)
    reranker = LLMReranker(judge)
    hits = RerankingRetriever(base, reranker, 10).retrieve("How long is parental leave?", 5)
    assert judge.calls == len(candidates) and len(reranker.usage) == len(candidates)
    assert "sixteen" in hits[0].chunk.text and hits[0].stage("rerank")[0] == 9.0
    scores = [h.stage("rerank")[0] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s in (9.0, 2.0, -1.0) for s in scores)
