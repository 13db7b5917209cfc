"""A local Hugging Face causal LM (model id or folder), optionally with a PEFT adapter.

torch, transformers and peft are imported only when a model is first loaded. Nothing is
downloaded unless the user asks: with HF_HUB_OFFLINE=1 (the app's default) a model id
that is not on disk fails with a message naming it and suggesting a local path.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from core.errors import BackendError
from core.types import Generation, TokenUsage


def load_causal_lm(model: str, progress=None):
    """(tokenizer, float32 model) from a model id or folder (or BUNDLED_MODEL, converted on first
    use); offline, an unknown id says how to fix it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from core.generation.bundled import resolve

    model = resolve(model, progress)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
        network = AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise BackendError(
            f"Model {model!r} could not be loaded: it is not a folder on this machine and is not in the "
            "Hugging Face cache (downloads happen only when you ask: unset HF_HUB_OFFLINE and load it once). "
            f"Give the path of a saved model folder instead. ({type(exc).__name__})"
        ) from exc
    return tokenizer, network


@lru_cache(maxsize=2)
def _load(model: str, adapter: str | None):
    import torch

    tokenizer, network = load_causal_lm(model)
    if adapter:
        from peft import PeftModel

        try:
            network = PeftModel.from_pretrained(network, adapter)
        except (OSError, ValueError) as exc:
            raise BackendError(f"Adapter {adapter!r} could not be loaded onto {model!r}: {exc}. "
                               "Check it was trained for this base model.") from exc  # fmt: skip
    network.eval()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return tokenizer, network.to(device), threading.Lock()


class TransformersGenerator:
    """`generate(messages)` with a local model; greedy decoding for reproducible answers."""

    def __init__(self, model: str, adapter: str | None = None, max_new_tokens: int = 256) -> None:
        self.model, self.adapter, self.max_new_tokens = model, adapter, max_new_tokens
        self.name = f"local:{model}" + (f"+{adapter}" if adapter else "")

    def generate(self, messages: list[dict], max_tokens: int | None = None) -> Generation:
        import torch

        tokenizer, network, lock = _load(self.model, self.adapter)
        started = time.perf_counter()
        prompt = self._render(tokenizer, messages)
        inputs = tokenizer(prompt, return_tensors="pt", return_token_type_ids=False).to(network.device)
        with lock, torch.no_grad():
            output = network.generate(**inputs, max_new_tokens=max_tokens or self.max_new_tokens, do_sample=False,
                                      pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)  # fmt: skip
        new = output[0][inputs["input_ids"].shape[1]:]
        text = tokenizer.decode(new, skip_special_tokens=True).strip()
        usage = TokenUsage(int(inputs["input_ids"].shape[1]), int(new.shape[0]), 0, "model tokenizer")
        return Generation(text=text, model=self.name, usage=usage, seconds=time.perf_counter() - started)

    @staticmethod
    def _render(tokenizer, messages: list[dict]) -> str:
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\n\nassistant:"
