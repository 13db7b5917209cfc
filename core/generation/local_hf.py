"""A local Hugging Face causal LM (model id, folder, or the bundled SmolLM2), optionally with
a PEFT adapter, answering with its own chat template.

torch, transformers and peft are imported only when a model is first loaded. Nothing is
downloaded unless the user asks: with HF_HUB_OFFLINE=1 (the app's default) a model id
that is not on disk fails with a message naming it and suggesting a local path. One
instance of each base model serves every lane (core.generation.local_runtime); decoding
runs under torch.inference_mode with the KV cache, and streams through `on_delta`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import BackendError, ConfigError
from core.generation.stopping import STOP_STRINGS, RepeatedLineStop, finish
from core.types import Generation, TokenUsage


def load_causal_lm(model: str, progress=None):
    """(tokenizer, float32 model) from a model id or folder (or BUNDLED_MODEL, converted on first
    use); offline, an unknown id says how to fix it. A fresh copy each call (training mutates it)."""
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


@dataclass(frozen=True)
class GenerationSettings:
    """Decoding settings, shown next to every local answer. The repetition penalty applies to
    the answer's own tokens only, so copying a figure from the context is not penalised."""

    max_new_tokens: int = 160
    greedy: bool = True
    temperature: float = 0.7  # used only when greedy is False
    repetition_penalty: float = 1.1

    def __post_init__(self) -> None:
        if not 1 <= self.max_new_tokens <= 4096:
            raise ConfigError(f"max_new_tokens={self.max_new_tokens}: choose 1 to 4096.")
        if self.temperature <= 0 or not 1.0 <= self.repetition_penalty <= 2.0:
            raise ConfigError("temperature must be positive and repetition_penalty between 1.0 and 2.0.")

    def describe(self) -> str:
        mode = "greedy" if self.greedy else f"sampling at temperature {self.temperature:g}"
        return f"{mode}, at most {self.max_new_tokens} new tokens, repetition penalty {self.repetition_penalty:g}"


def _display_name(model: str) -> str:
    from core.generation.bundled import BUNDLED_LABEL, BUNDLED_MODEL

    return BUNDLED_LABEL if model == BUNDLED_MODEL else f"local:{model}"


class TransformersGenerator:
    """`generate(messages)` with a local model; greedy by default for reproducible answers."""

    def __init__(self, model: str, adapter: str | None = None, max_new_tokens: int | None = None,
                 settings: GenerationSettings | None = None) -> None:  # fmt: skip
        settings = settings or GenerationSettings()
        if max_new_tokens is not None:
            settings = GenerationSettings(max_new_tokens, settings.greedy, settings.temperature, settings.repetition_penalty)
        self.model, self.adapter, self.settings = model, adapter, settings
        self.name = _display_name(model) + (f" + adapter {Path(adapter).name}" if adapter else "")

    def _shared(self):
        from core.generation.bundled import resolve
        from core.generation.local_runtime import shared_model

        return shared_model(resolve(self.model), self.adapter)

    @property
    def context_window(self) -> int | None:
        """The answering model's own window (max_position_embeddings), loading it if needed."""
        return self._shared().window

    @property
    def compute(self) -> str:
        return self._shared().compute

    @property
    def on_cpu(self) -> bool:
        """Whether the model runs on the CPU (the long-context lane then keeps a smaller budget)."""
        return self._shared().base.device.type == "cpu"

    def count_tokens(self, text: str) -> int:
        return len(self._shared().tokenizer(text, add_special_tokens=False)["input_ids"])

    def generate(self, messages: list[dict], max_tokens: int | None = None, on_delta=None) -> Generation:
        """One reply; `on_delta(text_so_far)` hears it grow token by token."""
        import torch
        from transformers import LogitsProcessorList, RepetitionPenaltyLogitsProcessor, StoppingCriteriaList

        from core.generation.local_runtime import generation_slots

        shared = self._shared()
        tokenizer = shared.tokenizer
        inputs = tokenizer(self._render(tokenizer, messages), return_tensors="pt", return_token_type_ids=False)
        length = int(inputs["input_ids"].shape[1])
        limit = max_tokens or self.settings.max_new_tokens
        if shared.window and length + limit > shared.window:
            raise BackendError(f"{self.name}: the prompt is {length:,} tokens and the answer may take {limit:,}, "
                               f"over the model's {shared.window:,}-token window. Use fewer or smaller chunks.")  # fmt: skip
        processors = LogitsProcessorList([RepetitionPenaltyLogitsProcessor(self.settings.repetition_penalty, length)]
                                         if self.settings.repetition_penalty > 1.0 else [])  # fmt: skip
        streamer = _DeltaStreamer(tokenizer, on_delta) if on_delta else None
        sampling = {} if self.settings.greedy else {"temperature": self.settings.temperature, "top_p": 0.95}
        # The adapter state first, then a slot: a lane waiting for another adapter state holds no slot, so
        # lanes that can run (the same state) use both cores meanwhile.
        with shared.use(self.adapter) as network, generation_slots(), torch.inference_mode():
            started = time.perf_counter()
            output = network.generate(**inputs.to(network.device), max_new_tokens=limit, do_sample=not self.settings.greedy,
                                      logits_processor=processors, streamer=streamer, use_cache=True,
                                      stopping_criteria=StoppingCriteriaList([RepeatedLineStop(tokenizer, length)]),
                                      stop_strings=list(STOP_STRINGS), tokenizer=tokenizer,
                                      pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id, **sampling)  # fmt: skip
            seconds = time.perf_counter() - started
        new = output[0][length:]
        text = finish(tokenizer.decode(new, skip_special_tokens=True))
        self.first_token_seconds = streamer.first_seconds if streamer else None
        usage = TokenUsage(length, int(new.shape[0]), 0, "model tokenizer")
        return Generation(text=text, model=self.name, usage=usage, seconds=seconds)

    @staticmethod
    def _render(tokenizer, messages: list[dict]) -> str:
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\n\nassistant:"


def _DeltaStreamer(tokenizer, on_delta):
    """A transformers TextStreamer that hands the text so far to `on_delta` as words complete
    (in the generating thread itself, so no second thread is needed)."""
    from transformers import TextStreamer

    class DeltaStreamer(TextStreamer):
        def __init__(self) -> None:
            super().__init__(tokenizer, skip_prompt=True, skip_special_tokens=True)
            self.text, self.first_seconds, self._started = "", None, time.perf_counter()

        def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
            if text:
                if self.first_seconds is None:
                    self.first_seconds = time.perf_counter() - self._started
                self.text += text
                on_delta(finish(self.text))

    return DeltaStreamer()
