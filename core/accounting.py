"""Tokens and dollars of one lane's query, each figure with its source.

Prompt tokens are split into instructions, context and question (litellm's tokenizer
for the "priced as" model); completion tokens come from the provider when a model ran,
or from counting the reader's answer. Dollars use litellm's bundled price map, a user
override, or nothing: an unknown price stays None ("price unknown"), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.pricing import Price, context_window, cost_usd, price_for
from core.prompts import Prompt
from core.tokens import litellm_module, count_tokens
from core.types import TokenUsage

@dataclass(frozen=True)
class TokenBreakdown:
    """`formatting` is what the chat format adds (role markers, separators): the whole
    prompt as litellm counts the messages, minus the three parts."""

    instructions: int
    context: int
    question: int
    formatting: int
    completion: int
    model: str
    source: str

    @property
    def prompt(self) -> int:
        return self.instructions + self.context + self.question + self.formatting


@dataclass(frozen=True)
class CostLine:
    """Dollars per query for `priced_as`; `cached` assumes the context is a cached prefix
    (repeated queries over the same context); None where the price is unknown."""

    priced_as: str
    dollars: float | None
    dollars_cached: float | None
    window: int | None
    window_share: float | None
    source: str | None


def breakdown(prompt: Prompt, completion_text: str, model: str, usage: TokenUsage | None = None) -> TokenBreakdown:
    completion = usage.completion_tokens if usage else count_tokens(completion_text, model)
    source = "provider (completion), litellm.token_counter (prompt parts)" if usage else "litellm.token_counter"
    parts = (count_tokens(prompt.instructions, model), count_tokens(prompt.context, model),
             count_tokens(f"Question: {prompt.question}", model))  # fmt: skip
    whole = int(litellm_module().token_counter(model=model, messages=prompt.messages))
    return TokenBreakdown(*parts, max(whole - sum(parts), 0), completion, model, source)


def cost_line(tokens: TokenBreakdown, priced_as: str, override: tuple[float, float, float | None] | None = None) -> CostLine:
    price: Price | None = price_for(priced_as, override)
    usage = TokenUsage(tokens.prompt, tokens.completion)
    cached_usage = TokenUsage(tokens.prompt, tokens.completion, cached_prompt_tokens=tokens.context + tokens.instructions)
    window = context_window(priced_as)
    return CostLine(
        priced_as=priced_as,
        dollars=cost_usd(usage, price),
        dollars_cached=cost_usd(cached_usage, price) if price and price.cached_input is not None else None,
        window=window,
        window_share=tokens.prompt / window if window else None,
        source=price.source if price else None,
    )
