"""Any model through litellm, with timeouts, retries and errors that say what to fix.

API keys are passed to the generator object and kept in memory only: they are not part
of LLMConfig (which is hashed, cached and exported) and are scrubbed from error text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.errors import BackendError, ConfigError
from core.secrets import register, scrub
from core.tokens import litellm_module
from core.types import Generation, TokenUsage


@dataclass(frozen=True)
class LLMConfig:
    """model: a litellm model string ("openai/gpt-4o-mini", "anthropic/claude-...",
    "ollama/llama3.2", "hosted_vllm/<name>", or "openai/<name>" with api_base for any
    OpenAI-compatible server)."""

    model: str
    api_base: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 2
    temperature: float = 0.0
    max_tokens: int = 512

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigError(f"model={self.model!r}: give a litellm model string such as 'openai/gpt-4o-mini'.")
        if self.timeout_s <= 0 or self.max_retries < 0 or self.max_tokens < 1:
            raise ConfigError("timeout_s and max_tokens must be positive and max_retries at least 0.")


class LiteLLMGenerator:
    def __init__(self, config: LLMConfig, api_key: str | None = None) -> None:
        self.config = config
        self._api_key = api_key or None
        register(self._api_key)  # scrubbed from everything written from now on
        self.name = config.model

    def generate(self, messages: list[dict], max_tokens: int | None = None, on_delta=None) -> Generation:
        """One reply. Streams when `on_delta(text_so_far)` is given (and records the
        time to the first token in `first_token_seconds`)."""
        if on_delta is not None:
            return self._stream(messages, max_tokens, on_delta)
        started = time.perf_counter()
        try:
            response = litellm_module().completion(**self._request(messages, max_tokens))
        except Exception as exc:  # litellm raises many provider-specific types
            raise self._explain(exc) from None
        text = response.choices[0].message.content or ""
        return Generation(text, self.config.model, self._usage(getattr(response, "usage", None), messages, text),
                          time.perf_counter() - started)  # fmt: skip

    def _stream(self, messages: list[dict], max_tokens: int | None, on_delta) -> Generation:
        started = time.perf_counter()
        parts: list[str] = []
        usage = None
        self.first_token_seconds = None
        try:
            for chunk in litellm_module().completion(**self._request(messages, max_tokens), stream=True,
                                               stream_options={"include_usage": True}):  # fmt: skip
                usage = getattr(chunk, "usage", None) or usage
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    if self.first_token_seconds is None:
                        self.first_token_seconds = time.perf_counter() - started
                    parts.append(delta)
                    on_delta("".join(parts))
        except Exception as exc:
            raise self._explain(exc) from None
        text = "".join(parts)
        return Generation(text, self.config.model, self._usage(usage, messages, text), time.perf_counter() - started)

    def _request(self, messages: list[dict], max_tokens: int | None) -> dict:
        return dict(model=self.config.model, messages=messages, api_base=self.config.api_base, api_key=self._api_key,
                    timeout=self.config.timeout_s, num_retries=self.config.max_retries,
                    temperature=self.config.temperature, max_tokens=max_tokens or self.config.max_tokens)  # fmt: skip

    def _usage(self, usage, messages: list[dict], text: str) -> TokenUsage:
        if usage and getattr(usage, "prompt_tokens", 0):
            details = getattr(usage, "prompt_tokens_details", None)
            cached = int(getattr(details, "cached_tokens", 0) or 0) if details else 0
            return TokenUsage(int(usage.prompt_tokens), int(usage.completion_tokens or 0), cached, "provider")
        counter = litellm_module().token_counter
        return TokenUsage(counter(model=self.config.model, messages=messages),
                          counter(model=self.config.model, text=text), 0, "litellm.token_counter")  # fmt: skip

    def _explain(self, exc: Exception) -> BackendError:
        kind = type(exc).__name__
        detail = str(exc)
        detail = scrub(detail, (self._api_key,))  # the typed key, env keys and key-shaped strings
        detail = detail.splitlines()[0][:300] if detail else kind
        where = f" at {self.config.api_base}" if self.config.api_base else ""
        model = self.config.model
        lowered = detail.lower()
        if "missing credentials" in lowered or "api_key" in lowered and "must be set" in lowered:
            return BackendError(f"{model}: no API key. Type one in the sidebar or set the provider's environment "
                                "variable (e.g. OPENAI_API_KEY).")  # fmt: skip
        if "provider not provided" in lowered:
            return BackendError(f"{model}: litellm does not know this provider. Start the model string with a "
                                "provider such as openai/, anthropic/, ollama/ or hosted_vllm/ (openai/NAME plus a "
                                "base URL for any OpenAI-compatible server).")  # fmt: skip
        if "Authentication" in kind or "PermissionDenied" in kind:
            return BackendError(f"{model}: the API key was rejected ({detail}). Check the key in the sidebar or the provider's environment variable.")
        if "NotFound" in kind:
            return BackendError(f"{model}: the server{where} does not know this model ({detail}). Check the model name.")
        if "ContextWindowExceeded" in kind:
            return BackendError(f"{model}: the prompt is longer than the model's context window ({detail}). Use fewer or smaller chunks.")
        if "Timeout" in kind:
            return BackendError(f"{model}: no answer within {self.config.timeout_s:g} s{where}. Raise the timeout or check the server.")
        if "APIConnection" in kind or "ServiceUnavailable" in kind or "InternalServer" in kind:
            return BackendError(f"{model}: cannot reach the model server{where} ({detail}). Start it or correct the base URL.")
        if "RateLimit" in kind:
            return BackendError(f"{model}: rate limited by the provider ({detail}). Wait and retry, or lower the volume.")
        return BackendError(f"{model}: {kind}: {detail}")
