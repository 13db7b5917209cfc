"""Every lane with the offline extractive reader, plus failure isolation between lanes."""

from __future__ import annotations

import pytest

from core.config import RetrievalConfig
from core.errors import BackendError, ConfigError
from core.generation.extractive import ABSTAIN, ExtractiveReader
from core.prompts import long_context_prompt
from core.lanes import LANE_KINDS, LaneConfig, LaneContext, run_lanes
from core.rerank import MMRReranker, RerankingRetriever
from core.retrieval import IndexRetriever
from core.tokens import count_tokens
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


def context(idx, store, **extra) -> LaneContext:
    base = IndexRetriever(idx, RetrievalConfig())
    return LaneContext(
        retriever=base,
        reranked=RerankingRetriever(base, MMRReranker(idx.embedder, idx.dense, 0.7), 10),
        documents=tuple(store.load_documents(idx.corpus_id)),
        reader=ExtractiveReader(idx.embedder),
        **extra,
    )


def test_all_six_lanes_with_the_extractive_reader(index):  # noqa: F811
    store, idx = index
    results = run_lanes("How many weeks of paid parental leave?", context(idx, store), [LaneConfig(k) for k in LANE_KINDS])
    by = {r.kind: r for r in results}
    assert [r.kind for r in results] == list(LANE_KINDS)
    for kind in ("rag", "rag_rerank", "long_context"):
        lane = by[kind]
        assert lane.error is None and not lane.answer.abstained, kind
        assert "sixteen weeks" in lane.answer.text and lane.answer.generator == "extractive reader (no LLM)"
        assert lane.tokens.context > 0 and lane.cost.dollars > 0 and lane.cost.priced_as == "gpt-4o-mini"
        assert dict(lane.timings_ms).get("generate", 0) > 0
    assert by["rag"].hits and len(by["rag"].hits) <= 5
    assert by["long_context"].tokens.context > by["rag"].tokens.context
    assert by["closed_book"].answer.text == ABSTAIN and by["closed_book"].tokens.context == 0
    assert by["closed_book"].warnings and "nothing to quote" in by["closed_book"].warnings[0]
    for kind in ("fine_tuned", "hybrid"):
        assert by[kind].answer is None and by[kind].error is None and "No fine-tuned model" in by[kind].setup


def test_one_failing_lane_does_not_stop_the_others(index):  # noqa: F811
    store, idx = index

    class Down:
        name = "openai/down"

        def generate(self, messages, max_tokens=None):
            raise BackendError("openai/down: cannot reach the model server. Start it or correct the base URL.")

    results = run_lanes("parental leave?", context(idx, store, generator=Down()),
                        [LaneConfig("rag"), LaneConfig("closed_book")])  # fmt: skip
    assert all("cannot reach the model server" in r.error for r in results)
    empty = run_lanes("   ", context(idx, store), [LaneConfig("rag")])[0]
    assert "is empty" in empty.error


def test_long_context_overflow_and_truncation(index, monkeypatch):  # noqa: F811
    from core import pricing

    store, idx = index
    ctx = context(idx, store, priced_as="tiny-window-model")
    corpus = sum(count_tokens(d.text, "tiny-window-model") for d in ctx.documents)
    original = pricing.context_window
    instructions = long_context_prompt("parental leave?", []).instructions
    reserve = count_tokens(instructions, "m") + count_tokens("parental leave?", "m") + 64 + 16 * len(ctx.documents)
    window = reserve + corpus // 2  # half the corpus fits
    assert corpus // 2 > 10
    monkeypatch.setattr(pricing, "context_window", lambda model: window if model == "tiny-window-model" else original(model))
    lane = run_lanes("parental leave?", ctx, [LaneConfig("long_context")])[0]
    assert "overflows by" in lane.error and "Turn on truncation" in lane.error
    cut = run_lanes("parental leave?", ctx, [LaneConfig("long_context", truncate=True)])[0]
    assert cut.error is None and any("Truncated: kept" in n for n in cut.notes)
    assert cut.tokens.context < window, "what is sent fits the window"
    assert cut.cost.dollars is None, "an unknown model has no price, never 0"
    tiny = run_lanes("parental leave?", context(idx, store, priced_as="tiny-window-model"),
                     [LaneConfig("long_context", truncate=True)])[0] if monkeypatch.setattr(
        pricing, "context_window", lambda model: 60) is None else None  # fmt: skip
    assert "leaves no room for documents" in tiny.error


def test_lane_config_is_validated():
    with pytest.raises(ConfigError, match="is not one of"):
        LaneConfig("telepathy")


def test_price_override_is_used_and_labelled(index):  # noqa: F811
    store, idx = index
    ctx = context(idx, store, priced_as="my-org/private-model", price_override=(2.0, 8.0, None))
    lane = run_lanes("parental leave?", ctx, [LaneConfig("rag")])[0]
    expected = (lane.tokens.prompt * 2.0 + lane.tokens.completion * 8.0) / 1e6
    assert lane.cost.dollars == pytest.approx(expected) and lane.cost.source.startswith("your override")


@pytest.mark.parametrize("text, declined", [
    ("The provided context does not answer this question.", True), ("I don't know.", True),
    ("The passages do not mention a dog policy.", True), ("There is no information about dogs.", True),
    ("Parental leave is 16 weeks [1]. It does not include adoption.", False), ("The NDA runs two years.", False)])  # fmt: skip
def test_rephrased_abstentions_count_as_abstaining(text, declined):
    from core.prompts import abstains

    assert abstains(text) is declined


class _SmallWindow:
    """A local-model stand-in with a tiny window: counts words as tokens, echoes the prompt size."""

    name = "small-window model"
    context_window = 300

    class settings:  # noqa: N801  (mirrors GenerationSettings' fields the lanes read)
        max_new_tokens = 100

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, messages, max_tokens=None):
        from core.types import Generation, TokenUsage

        size = self.count_tokens(" ".join(m["content"] for m in messages))
        assert size + 100 + 64 <= self.context_window, size
        return Generation("ok [1]", self.name, TokenUsage(size, 2, 0, "words"), 0.0)


def test_rag_keeps_the_best_passages_that_fit_a_local_window(index):  # noqa: F811
    store, idx = index
    lanes = run_lanes("What is the daily meal per diem for domestic travel?",
                      context(idx, store, generator=_SmallWindow()), [LaneConfig("rag", top_k=8)])  # fmt: skip
    lane = lanes[0]
    assert lane.error is None, lane.error
    full = IndexRetriever(idx, RetrievalConfig()).retrieve("What is the daily meal per diem for domestic travel?", 8)
    assert 1 <= len(lane.hits) < len(full), "the test corpus must overflow the stand-in window"
    assert any("passages to fit small-window model's 300-token window" in n for n in lane.notes), lane.notes
    assert [h.chunk.chunk_id for h in lane.hits] == [h.chunk.chunk_id for h in full[: len(lane.hits)]]
