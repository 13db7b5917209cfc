"""How long a local model takes to answer, measured on this machine, and run-time estimates.

`measure_throughput` times two short greedy generations with the model itself (a prompt of
about 1,000 tokens with one new token, then with 17) to get prefill and decode tokens per
second. `estimate_run` turns them into an estimate for an evaluation run from each lane's
expected prompt size. It is an estimate: long prompts run slower per token than the
1,000-token measurement (attention grows with length), and other work on the machine
changes everything; the evaluation itself records the real time of every answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

_FILLER = ("The firm reviews every engagement letter before work begins, and each matter has a billing partner "
           "who approves the monthly pre-bill. ")  # fmt: skip


@dataclass(frozen=True)
class Throughput:
    prefill_tokens_per_s: float
    decode_tokens_per_s: float
    prompt_tokens: int
    model: str


@dataclass(frozen=True)
class RunEstimate:
    seconds: float
    per_question_s: float
    per_lane_s: dict[str, float]
    basis: str


def measure_throughput(generator, prompt_tokens: int = 1000, new_tokens: int = 16) -> Throughput:
    """Prefill and decode speed of `generator` (a TransformersGenerator) on this machine, now."""
    from dataclasses import replace

    text = _FILLER * max(1, prompt_tokens // max(generator.count_tokens(_FILLER), 1))
    messages = [{"role": "system", "content": "Summarise."}, {"role": "user", "content": text}]
    greedy = replace(generator.settings, greedy=True, repetition_penalty=1.0)
    probe = type(generator)(generator.model, None, settings=greedy)
    first = probe.generate(messages, max_tokens=1)
    started = time.perf_counter()
    longer = probe.generate(messages, max_tokens=new_tokens + 1)
    total = time.perf_counter() - started
    decoded = max(longer.usage.completion_tokens - 1, 1)
    decode_s = max(total - first.seconds, 1e-3)
    return Throughput(first.usage.prompt_tokens / max(first.seconds, 1e-3), decoded / decode_s,
                      first.usage.prompt_tokens, generator.name)  # fmt: skip


def lane_prompt_tokens(kind: str, top_k: int, chunk_tokens: int, window: int | None, corpus_tokens: int,
                       allowance: int) -> int:  # fmt: skip
    """Expected prompt size of a lane: instructions and question (~120), plus its context."""
    if kind in ("rag", "rag_rerank", "hybrid"):
        return 120 + top_k * (chunk_tokens + 20)
    if kind == "long_context":
        return min(corpus_tokens, (window or corpus_tokens) - allowance) + 120
    return 120


def estimate_run(throughput: Throughput, kinds: list[str], questions: int, top_k: int, chunk_tokens: int,
                 window: int | None, corpus_tokens: int, new_tokens: int, concurrent: int = 1) -> RunEstimate:  # fmt: skip
    """Seconds for `questions` questions through `kinds`, answers taking `new_tokens` on average."""
    per_lane = {}
    for kind in kinds:
        prompt = lane_prompt_tokens(kind, top_k, chunk_tokens, window, corpus_tokens, new_tokens)
        per_lane[kind] = prompt / throughput.prefill_tokens_per_s + new_tokens / throughput.decode_tokens_per_s
    per_question = sum(per_lane.values()) / max(1, min(concurrent, len(kinds)))
    basis = (f"measured now: prefill {throughput.prefill_tokens_per_s:,.0f} tokens/s at {throughput.prompt_tokens:,} "
             f"prompt tokens, decode {throughput.decode_tokens_per_s:,.1f} tokens/s; assumed {new_tokens} new tokens per "
             f"answer and {min(concurrent, len(kinds))} answers at a time")  # fmt: skip
    return RunEstimate(per_question * questions, per_question, per_lane, basis)
