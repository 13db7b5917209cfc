"""Local transformers generation (tiny Llama built from a config), with and without a
PEFT adapter, inside the lanes; unknown models fail with a fix."""

from __future__ import annotations

import pytest

from core.errors import BackendError
from core.generation.local_hf import TransformersGenerator
from core.lanes import LaneConfig, run_lanes
from tests.llm_server import make_tiny_llama
from tests.test_lanes import context
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_llama(tmp_path_factory.mktemp("local") / "tiny-llama"))


def test_generates_and_counts_tokens_with_the_model_tokenizer(tiny):
    result = TransformersGenerator(tiny, max_new_tokens=5).generate([{"role": "user", "content": "Say hello."}])
    assert result.text and result.usage.completion_tokens <= 5 and result.usage.source == "model tokenizer"
    again = TransformersGenerator(tiny, max_new_tokens=5).generate([{"role": "user", "content": "Say hello."}])
    assert again.text == result.text, "greedy decoding is reproducible"


def test_every_answering_lane_runs_with_a_local_model(index, tiny):  # noqa: F811
    store, idx = index
    generator = TransformersGenerator(tiny, max_new_tokens=6)
    lanes = [LaneConfig(k) for k in ("closed_book", "rag", "rag_rerank", "long_context", "fine_tuned", "hybrid")]
    results = run_lanes("How long is parental leave?", context(idx, store, generator=generator, tuned=generator), lanes)
    for result in results:
        assert result.error is None and result.answer.generator == f"local:{tiny}", result.kind
        assert result.tokens.completion == result.answer.usage.completion_tokens
        assert any(n.startswith("Computed in float32 on CPU") for n in result.notes), result.notes
    assert [bool(r.hits) for r in results] == [False, True, True, False, False, True]


def test_adapter_changes_generations(tiny, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny), LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(tmp_path / "adapter")
    messages = [{"role": "user", "content": "Describe the leave policy."}]
    base = TransformersGenerator(tiny, max_new_tokens=8).generate(messages)
    tuned = TransformersGenerator(tiny, adapter=str(tmp_path / "adapter"), max_new_tokens=8).generate(messages)
    assert tuned.model.endswith(" + adapter adapter") and tuned.text != base.text


def test_unknown_local_model_says_how_to_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(BackendError, match="could not be loaded.*path of a saved model folder"):
        TransformersGenerator("no-such-org/no-such-llm").generate([{"role": "user", "content": "hi"}])


def test_adapter_lanes_share_one_base_and_switching_back_restores_it(tiny, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from core.generation.local_runtime import shared_model

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny), LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(tmp_path / "shared")
    messages = [{"role": "user", "content": "Describe the expenses policy."}]
    base = TransformersGenerator(tiny, max_new_tokens=8)
    tuned = TransformersGenerator(tiny, adapter=str(tmp_path / "shared"), max_new_tokens=8)
    before = base.generate(messages).text
    with_adapter = tuned.generate(messages).text
    assert base.generate(messages).text == before != with_adapter, "adapter layers are off for the base lane"
    assert shared_model(tiny) is shared_model(tiny, str(tmp_path / "shared")), "one model instance, not two"
    from core.prompts import closed_book_prompt

    alone = base.generate(closed_book_prompt("expenses?").messages).text
    results = run_lanes("expenses?", _bare_context(base, tuned), [LaneConfig("closed_book"), LaneConfig("fine_tuned")] * 2)
    assert all(r.error is None for r in results), [r.error for r in results]
    assert [r.answer.text for r in results[::2]] == [alone] * 2, "concurrent adapter lanes do not leak into base lanes"


def test_streamed_text_grows_to_the_final_answer(tiny):
    seen: list[str] = []
    result = TransformersGenerator(tiny, max_new_tokens=12).generate([{"role": "user", "content": "Say hello."}], on_delta=seen.append)
    assert seen and seen[-1] == result.text and all(b.startswith(a) for a, b in zip(seen, seen[1:]))


def _bare_context(generator, tuned):
    from core.lanes import LaneContext

    class Never:
        def retrieve(self, query, k):
            raise AssertionError("closed book and fine-tuned lanes do not retrieve")

    return LaneContext(retriever=Never(), reranked=None, documents=(), reader=None, generator=generator, tuned=tuned)


def test_run_time_estimate_comes_from_measured_speed(tiny):
    from core.generation.timing import estimate_run, measure_throughput

    speed = measure_throughput(TransformersGenerator(tiny), prompt_tokens=200, new_tokens=4)
    assert speed.prefill_tokens_per_s > 0 and speed.decode_tokens_per_s > 0 and speed.prompt_tokens > 100
    one = estimate_run(speed, ["closed_book", "rag", "long_context"], 1, 5, 256, 8192, 50_000, 60)
    ten = estimate_run(speed, ["closed_book", "rag", "long_context"], 10, 5, 256, 8192, 50_000, 60)
    assert ten.seconds == 10 * one.seconds > 0 and one.per_lane_s["long_context"] > one.per_lane_s["rag"] > one.per_lane_s["closed_book"]
    assert "measured now" in one.basis
    assert speed.decode_tokens_per_s < 50 * speed.prefill_tokens_per_s, "decode is timed on tokens really generated"
