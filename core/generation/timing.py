"""How long a local model takes to answer, measured on this machine, and run-time estimates.

`measure_throughput` times two greedy generations with the model itself (a prompt of about
1,000 tokens with exactly one new token, then exactly 17) to get prefill and decode tokens
per second. `estimate_run` turns them into an estimate for an evaluation run from each lane's
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
    """Prefill and decode speed of `generator` (a TransformersGenerator) on this machine, now:
    one answer of exactly one new token, one of exactly `new_tokens` + 1 (EOS ignored)."""
    import torch

    from core.generation.local_runtime import generation_slots

    shared = generator._shared()
    text = _FILLER * max(1, prompt_tokens // max(generator.count_tokens(_FILLER), 1))
    with generation_slots(), shared.use(None) as network, torch.inference_mode():
        inputs = shared.tokenizer(text, return_tensors="pt").to(network.device)
        times = []
        for n in (1, new_tokens + 1):
            started = time.perf_counter()
            network.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                             pad_token_id=shared.tokenizer.pad_token_id or shared.tokenizer.eos_token_id)  # fmt: skip
            times.append(time.perf_counter() - started)
    length = int(inputs["input_ids"].shape[1])
    return Throughput(length / max(times[0], 1e-3), new_tokens / max(times[1] - times[0], 1e-3), length, generator.name)


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
