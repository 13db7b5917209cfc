"""Costs come from litellm's price map; unknown models have no price, never 0."""

from __future__ import annotations

import pytest

from core.pricing import context_window, cost_usd, price_for
from core.tokens import litellm_module, count_tokens
from core.types import TokenUsage


def test_price_matches_the_map_and_cost_arithmetic():
    entry = litellm_module().model_cost["gpt-4o-mini"]
    price = price_for("openai/gpt-4o-mini")
    assert price.input == entry["input_cost_per_token"] and price.output == entry["output_cost_per_token"]
    assert price.cached_input == entry["cache_read_input_token_cost"]
    usage = TokenUsage(prompt_tokens=10_000, completion_tokens=500, cached_prompt_tokens=4_000)
    expected = 6_000 * entry["input_cost_per_token"] + 4_000 * entry["cache_read_input_token_cost"] + 500 * entry["output_cost_per_token"]
    assert cost_usd(usage, price) == pytest.approx(expected)
    assert cost_usd(TokenUsage(1000, 0), price) == pytest.approx(1000 * entry["input_cost_per_token"])
    assert context_window("gpt-4o-mini") == entry["max_input_tokens"]


def test_unknown_model_has_no_price_and_overrides_are_labelled():
    assert price_for("my-local/finetune-7b") is None
    assert cost_usd(TokenUsage(100, 10), None) is None
    override = price_for("my-local/finetune-7b", (2.0, 6.0, None))
    assert override.source.startswith("your override")
    assert cost_usd(TokenUsage(1_000_000, 1_000_000), override) == pytest.approx(8.0)


@pytest.mark.parametrize("text", ["Hello world, this is a test of the token counter.", "", "Ünïcödé — dash"])
def test_token_counts_equal_litellm(text):
    expected = litellm_module().token_counter(model="gpt-4o-mini", text=text) if text else 0
    assert count_tokens(text, "gpt-4o-mini") == expected
