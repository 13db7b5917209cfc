"""Generation backends. One method each: `generate(messages) -> Generation`.

litellm_backend: any litellm model (OpenAI, Anthropic, Ollama, vLLM, any OpenAI-compatible
server). The offline extractive reader and local transformers models come with the
Compare page work.
"""

from core.generation.litellm_backend import LiteLLMGenerator, LLMConfig

__all__ = ["LLMConfig", "LiteLLMGenerator"]
