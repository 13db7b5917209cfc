"""The adapter registry (records, hosted ids, merge-and-export, staleness) and the training
cost estimate, with a tiny Llama built from a config."""

from __future__ import annotations

import json
import logging
import math

import pytest

from core.errors import ConfigError, StoreError
from core.finetune import estimate as est
from core.finetune.registry import (
    AdapterRecord,
    AdapterRegistry,
    dataset_hash,
    local_record,
    staleness,
)
from core.finetune.train import TrainConfig, train_adapter
from core.generation.local_hf import TransformersGenerator
from core.types import CorpusInfo, DocumentRecord
from tests.llm_server import make_tiny_llama
from tests.test_ft_train import CONVS, EVAL

HOSTED = "openai/ft:gpt-4o-mini-2024-07-18:org::abc123"


def corpus(revision: int, doc_id: str, corpus_id: str = "handbook") -> CorpusInfo:
    doc = DocumentRecord("leave.md", revision, doc_id, "Leave", "md", 10, None, 2, 3, "cl100k_base", "2025-01-01")
    return CorpusInfo(corpus_id, "Handbook", "2025-01-01", "2025-01-02", revision, (doc,))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_llama(tmp_path_factory.mktemp("reg") / "tiny-llama"))


@pytest.fixture(scope="module")
def trained(tiny, tmp_path_factory):
    """A registry holding one LoRA adapter trained on the fixed conversations."""
    registry = AdapterRegistry(tmp_path_factory.mktemp("reg") / "adapters")
    config = TrainConfig(tiny, "lora", target_modules=("q_proj", "v_proj", "o_proj"), epochs=4, learning_rate=2e-2)
    result = train_adapter(config, CONVS, EVAL, registry.new_adapter_dir("Notice periods / LoRA"))
    return registry, registry.add(local_record(result, config, "Notice periods", CONVS, corpus(1, "aaa")))


def test_add_list_get_update_and_delete(trained, tiny):
    registry, record = trained
    assert record.adapter_id.startswith("notice-periods-lora-") and registry.get(record.adapter_id) == record
    assert record.dataset_hash == dataset_hash(CONVS) != dataset_hash(CONVS[:-1]) and record.dataset_size == 8
    assert record.metrics["steps"] == 8 and len(record.metrics["losses"]) == 8 and record.config["r"] == 8
    hosted = registry.register_hosted(HOSTED, "gpt-4o-mini-2024-07-18", corpus(2, "bbb"), note="from the OpenAI UI")
    assert [r.adapter_id for r in registry.list()] == [hosted.adapter_id, record.adapter_id], "newest first"
    assert hosted.kind == "hosted" and hosted.model_id == HOSTED and hosted.corpus_revision == 2
    updated = registry.update_metrics(record.adapter_id, {"qa_accuracy": 0.5})
    assert updated.metrics["qa_accuracy"] == 0.5 and updated.metrics["steps"] == 8
    assert registry.get(record.adapter_id).metrics == updated.metrics
    registry.delete(hosted.adapter_id)
    assert [r.adapter_id for r in registry.list()] == [record.adapter_id]
    with pytest.raises(StoreError, match="No adapter 'nope'.*" + record.adapter_id):
        registry.get("nope")


def test_delete_removes_the_adapter_folder(tiny, tmp_path):
    registry = AdapterRegistry(tmp_path / "adapters")
    config = TrainConfig(tiny, epochs=1)
    folder = registry.new_adapter_dir("short")
    record = registry.add(local_record(train_adapter(config, CONVS[:4], [], folder), config, "short", CONVS[:4]))
    assert (folder / "adapter_config.json").is_file() and (folder / "record.json").is_file()
    registry.delete(record.adapter_id)
    assert not folder.exists() and registry.list() == []


def test_corrupt_entries_are_skipped_with_a_warning(tmp_path, caplog):
    registry = AdapterRegistry(tmp_path / "adapters")
    good = registry.register_hosted(HOSTED, "gpt-4o-mini-2024-07-18")
    (tmp_path / "adapters" / "broken").mkdir()
    (tmp_path / "adapters" / "broken" / "record.json").write_text("{not json", "utf-8")
    (tmp_path / "adapters" / "wrong").mkdir()
    (tmp_path / "adapters" / "wrong" / "record.json").write_text(json.dumps({"adapter_id": "wrong"}), "utf-8")
    with caplog.at_level(logging.WARNING, logger="core.finetune.registry"):
        assert registry.list() == [good]
    assert caplog.text.count("skipping adapter") == 2
    with pytest.raises(StoreError, match="unreadable"):
        registry.get("broken")


def test_bad_records_say_how_to_fix(tmp_path):
    registry = AdapterRegistry(tmp_path / "adapters")
    with pytest.raises(ConfigError, match="provider's fine-tuned model id"):
        registry.register_hosted("ft model with spaces", "gpt-4o-mini")
    with pytest.raises(StoreError, match="adapter_config.json missing"):
        registry.add(AdapterRecord("x", "x", "local", "base", "lora", path=str(tmp_path)))
    with pytest.raises(ConfigError, match="'local' or 'hosted'"):
        AdapterRecord("x", "x", "cloud", "base", "lora")


def test_merge_and_export_loads_without_peft_and_matches_base_plus_adapter(trained, tiny, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    registry, record = trained
    dest = registry.merge_and_export(record.adapter_id, tmp_path / "merged")
    names = {p.name for p in dest.iterdir()}
    assert "adapter_config.json" not in names and {"config.json", "model.safetensors", "tokenizer.json"} <= names
    messages = EVAL[2][:1]
    merged = TransformersGenerator(str(dest), max_new_tokens=8).generate(messages)
    assert merged.text == TransformersGenerator(tiny, adapter=record.path, max_new_tokens=8).generate(messages).text
    tokenizer = AutoTokenizer.from_pretrained(dest)
    ids = tokenizer("user: What is the notice period?", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        plain = AutoModelForCausalLM.from_pretrained(dest)(ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny)(ids).logits
    from peft import PeftModel

    with torch.no_grad():
        adapted = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny), record.path)(input_ids=ids).logits
    assert torch.allclose(plain, adapted, atol=1e-4) and not torch.allclose(plain, base, atol=1e-4)
    with pytest.raises(ConfigError, match="not empty"):
        registry.merge_and_export(record.adapter_id, dest)


def test_merge_refuses_prompt_tuning_and_hosted_models(tmp_path):
    registry = AdapterRegistry(tmp_path / "adapters")
    folder = registry.new_adapter_dir("prompt")
    (folder / "adapter_config.json").write_text("{}", "utf-8")
    prompt = registry.add(AdapterRecord(folder.name, "prompt", "local", "base", "prompt_tuning", path=str(folder)))
    with pytest.raises(ConfigError, match="virtual input tokens.*nothing to merge"):
        registry.merge_and_export(prompt.adapter_id, tmp_path / "out")
    hosted = registry.register_hosted(HOSTED, "gpt-4o-mini-2024-07-18")
    with pytest.raises(ConfigError, match="hosted model.*cannot be exported"):
        registry.merge_and_export(hosted.adapter_id, tmp_path / "out")


def test_staleness_names_the_revision_the_adapter_learned():
    record = AdapterRecord("a", "Policy LoRA", "local", "base", "lora", corpus_id="handbook",
                           corpus_fingerprint=corpus(1, "aaa").fingerprint, corpus_revision=1, path="/x")  # fmt: skip
    assert staleness(record, corpus(1, "aaa")) is None
    assert staleness(record, corpus(5, "aaa")) is None, "same content under a later revision is not stale"
    sentence = staleness(record, corpus(2, "bbb"))
    assert "revision 1" in sentence and "now revision 2" in sentence and corpus(2, "bbb").fingerprint in sentence
    assert "not on 'Handbook'" in staleness(record, corpus(1, "aaa", corpus_id="other"))
    assert staleness(AdapterRecord("b", "b", "hosted", "base", "hosted", model_id=HOSTED), corpus(2, "bbb")) is None


def test_estimate_from_flops_and_from_measured_throughput():
    flops = est.estimate_training(1_000_000, 3, 7_000_000_000, "gpu", 2.0)
    assert flops.tokens_total == 3_000_000 and not flops.measured and flops.seconds_basis.startswith("estimate")
    assert math.isclose(flops.seconds, 6 * 7e9 * 3e6 / 50e12) and math.isclose(flops.dollars, flops.seconds / 3600 * 2)
    quotes = {q.model: q.dollars for q in flops.hosted}
    assert math.isclose(quotes["openai/gpt-4o-mini-2024-07-18"], 9.0) and len(quotes) == len(est.HOSTED_TRAINING_PER_MILLION)
    assert all("openai.com" in q.source and "2025" in q.source for q in flops.hosted)
    measured = est.estimate_training(1000, 2, 10_000, "cpu", 2.0, tokens_per_second=100.0)
    assert measured.measured and measured.seconds == 20.0 and measured.dollars is None
    assert "measured" in measured.seconds_basis
    for bad in ({"device": "tpu"}, {"epochs": 0}, {"gpu_price_per_hour": -1}, {"tokens_per_second": 0}):
        with pytest.raises(ConfigError):
            est.estimate_training(**{"train_tokens": 10, "epochs": 1, "params": 10, "device": "cpu",
                                 "gpu_price_per_hour": 1.0, **bad})  # fmt: skip


def test_measured_throughput_runs_real_steps(tiny):
    tokens_per_second = est.measure_throughput(TrainConfig(tiny, batch_size=2), CONVS[:3], steps=2)
    assert tokens_per_second > 0
