"""One place that turns a backend choice into a generator, for the pages and the CLI.

  None, "", "extractive"        -> None (the extractive reader, no LLM)
  "bundled" or BUNDLED_MODEL    -> the bundled SmolLM2-135M-Instruct (converted once)
  "local:PATH_OR_ID"            -> a local transformers model (optionally "+ADAPTER_FOLDER")
  anything else                 -> a litellm model string ("openai/gpt-4o-mini", "ollama/llama3.2")
"""

from __future__ import annotations

from core.generation.bundled import BUNDLED_MODEL

BUNDLED_ALIASES = ("bundled", BUNDLED_MODEL)


def make_generator(spec: str | None, api_base: str | None = None, api_key: str | None = None, settings=None):
    """The generator `spec` names (see the module docstring); None for the extractive reader."""
    spec = (spec or "").strip()
    if spec in ("", "extractive"):
        return None
    if spec in BUNDLED_ALIASES or spec.startswith("local:"):
        from core.generation.local_hf import TransformersGenerator

        model = BUNDLED_MODEL if spec in BUNDLED_ALIASES else spec.removeprefix("local:")
        model, _, adapter = model.partition("+")
        return TransformersGenerator(model.strip(), adapter.strip() or None, settings=settings)
    from core.generation.litellm_backend import LiteLLMGenerator, LLMConfig

    return LiteLLMGenerator(LLMConfig(model=spec, api_base=api_base), api_key=api_key)


def is_local(generator) -> bool:
    """Whether `generator` runs a model in this process (CPU/GPU time, not an API bill)."""
    return generator is not None and hasattr(generator, "count_tokens") and hasattr(generator, "settings")
