"""What LLM-written chunk contexts will cost, computed before anything is sent.

Counts are exact (litellm's tokenizer for the model) for the prompts; the replies are an
estimate of CONTEXT_OUTPUT_TOKENS each. With prompt caching, every call after the first
for a document reads the document from the cache at the cached-input price. Providers that
bill cache writes at a premium (Anthropic) are priced here as plain input for those writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.chunking import chunk_document
from core.config import IndexConfig
from core.index.context import CONTEXT_INSTRUCTION, CONTEXT_OUTPUT_TOKENS
from core.pricing import cost_usd, price_for
from core.store import CorpusStore
from core.tokens import count_tokens
from core.types import TokenUsage


@dataclass(frozen=True)
class ContextCostEstimate:
    model: str
    calls: int
    prompt_tokens: int
    cacheable_tokens: int  # document tokens re-sent after each document's first call
    output_tokens_estimate: int
    dollars_without_cache: float | None
    dollars_with_cache: float | None
    price_source: str | None


def estimate_context_cost(store: CorpusStore, corpus_id: str, config: IndexConfig, model: str) -> ContextCostEstimate:
    instruction = count_tokens(CONTEXT_INSTRUCTION.format(chunk=""), model)
    calls = prompt = cacheable = 0
    for document in store.load_documents(corpus_id):
        chunks = chunk_document(document, config.chunk) if config.chunk.strategy != "semantic" else None
        n = len(chunks) if chunks is not None else max(1, count_tokens(document.text, model) // config.chunk.chunk_size)
        doc_tokens = count_tokens(document.text, model) + 6
        chunk_tokens = sum(count_tokens(c.text, model) for c in chunks) if chunks else doc_tokens
        calls += n
        prompt += n * (doc_tokens + instruction) + chunk_tokens
        cacheable += (n - 1) * doc_tokens
    output = calls * CONTEXT_OUTPUT_TOKENS
    price = price_for(model)
    plain = cost_usd(TokenUsage(prompt, output), price)
    cached = cost_usd(TokenUsage(prompt, output, cacheable), price) if price and price.cached_input is not None else plain
    return ContextCostEstimate(model, calls, prompt, cacheable, output, plain, cached, price.source if price else None)
