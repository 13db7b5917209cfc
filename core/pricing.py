"""Prices per token from litellm's bundled price map (read locally, never fetched).

A model the map does not know has no price: callers show "price unknown", never 0.
User overrides (dollars per million tokens) take precedence and are labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core.tokens import litellm_module
from core.types import TokenUsage


@dataclass(frozen=True)
class Price:
    """Dollars per token; cached_input is None where the model has no cached-input price."""

    model: str
    input: float
    output: float
    cached_input: float | None
    source: str


@lru_cache(maxsize=1)
def price_source() -> str:
    """Which price map (read once: looking up a package version parses its metadata, ~3 ms)."""
    from importlib.metadata import version

    return f"litellm {version('litellm')} bundled price map"


def price_for(model: str, override: tuple[float, float, float | None] | None = None) -> Price | None:
    """The price of `model` (tries the name with and without its provider prefix)."""
    if override is not None:
        per_m = 1e-6
        cached = override[2] * per_m if override[2] is not None else None
        return Price(model, override[0] * per_m, override[1] * per_m, cached, "your override ($ per 1M tokens)")
    table = litellm_module().model_cost
    for name in (model, model.split("/", 1)[-1]):
        entry = table.get(name)
        if entry and entry.get("input_cost_per_token") is not None and entry.get("output_cost_per_token") is not None:
            return Price(name, float(entry["input_cost_per_token"]), float(entry["output_cost_per_token"]),
                         entry.get("cache_read_input_token_cost"), price_source())  # fmt: skip
    return None


def context_window(model: str) -> int | None:
    table = litellm_module().model_cost
    for name in (model, model.split("/", 1)[-1]):
        entry = table.get(name) or {}
        window = entry.get("max_input_tokens") or entry.get("max_tokens")
        if window:
            return int(window)
    return None


def cost_usd(usage: TokenUsage, price: Price | None) -> float | None:
    """Dollars for one call; cached prompt tokens at the cached price where there is one."""
    if price is None:
        return None
    cached = min(usage.cached_prompt_tokens, usage.prompt_tokens)
    cached_rate = price.cached_input if price.cached_input is not None else price.input
    return (usage.prompt_tokens - cached) * price.input + cached * cached_rate + usage.completion_tokens * price.output
