"""The CPU number format: bfloat16 only where it measures faster, an override, and a local
model that really answers in bfloat16 (tiny Llama built from a config)."""

from __future__ import annotations

import pytest

from core.generation import cpu_dtype as module
from tests.llm_server import make_tiny_llama


@pytest.fixture()
def fresh(monkeypatch):
    module.cpu_dtype.cache_clear()
    yield monkeypatch
    module.cpu_dtype.cache_clear()


@pytest.mark.parametrize(("ratio", "chosen"), [(0.4, "bfloat16"), (0.74, "bfloat16"), (0.9, "float32"), (3.0, "float32")])
def test_auto_picks_bfloat16_only_when_it_measures_faster(fresh, ratio, chosen):
    fresh.setenv("PLAYGROUND_CPU_DTYPE", "auto")
    fresh.setattr(module, "_bf16_time_ratio", lambda: ratio)
    choice = module.cpu_dtype()
    assert choice.name == chosen and "measured" in choice.note and "this CPU" in choice.note


def test_the_override_wins_and_says_so(fresh):
    fresh.setenv("PLAYGROUND_CPU_DTYPE", "bfloat16")
    fresh.setattr(module, "_bf16_time_ratio", lambda: pytest.fail("an override must not measure"))
    assert module.cpu_dtype() == module.CpuDtype("bfloat16", "bfloat16 on CPU (set by PLAYGROUND_CPU_DTYPE)")


def test_the_measurement_is_a_positive_time_ratio():
    assert 0 < module._bf16_time_ratio(repeats=1) < 100


def test_a_local_model_answers_in_bfloat16_and_its_notes_say_so(fresh, tmp_path):
    import torch

    from core.generation.local_runtime import SharedModel

    fresh.setenv("PLAYGROUND_CPU_DTYPE", "bfloat16")
    shared = SharedModel(str(make_tiny_llama(tmp_path / "tiny")))
    assert shared.base.dtype == torch.bfloat16 and shared.compute.startswith("bfloat16 on CPU (set by")
    ids = shared.tokenizer("Say hello.", return_tensors="pt").input_ids
    with shared.use(None) as network, torch.inference_mode():
        out = network.generate(ids, max_new_tokens=4, min_new_tokens=4, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 4


def test_the_decode_attention_matches_sdpa(tmp_path):
    """One new token by matrix products gives SDPA's logits (float32, so they compare closely),
    with a padded batch too; the prompt itself still goes through SDPA."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from core.generation.cpu_attention import use_for

    folder = make_tiny_llama(tmp_path / "tiny")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    reference, ours = (AutoModelForCausalLM.from_pretrained(folder).eval() for _ in range(2))
    use_for(ours)
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    tokenizer.padding_side = "left"
    batch = tokenizer(["Say hello to the new colleague.", "Hi."], return_tensors="pt", padding=True)
    with torch.inference_mode():
        expected = reference.generate(**batch, max_new_tokens=6, do_sample=False, output_logits=True, return_dict_in_generate=True)
        got = ours.generate(**batch, max_new_tokens=6, do_sample=False, output_logits=True, return_dict_in_generate=True)
    assert torch.equal(got.sequences, expected.sequences)
    for a, b in zip(got.logits, expected.logits):
        assert torch.allclose(a, b, atol=1e-4), (a - b).abs().max()
