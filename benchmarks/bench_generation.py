"""Speed of the bundled SmolLM2-135M-Instruct on this machine: conversion and load, threads,
prefill and decode tokens/s, seconds per LoRA step, and one Compare run of all six lanes.

    .venv/bin/python benchmarks/bench_generation.py            # everything (about 10 min on 2 idle cores)
    .venv/bin/python benchmarks/bench_generation.py --skip-convert --skip-compare

Figures are wall-clock on this machine as it is now: the load average is printed first and
last, because other work on the machine changes every number (prefer the ratios).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROWS: list[tuple[str, str]] = []


def row(name: str, value: str) -> None:
    ROWS.append((name, value))
    print(f"{name:<58} {value}", flush=True)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def conversion(skip: bool) -> None:
    from core.generation import bundled
    from core.generation.local_hf import load_causal_lm

    if not skip:
        with tempfile.TemporaryDirectory() as tmp:
            previous = os.environ.get("PLAYGROUND_MODEL_DIR")
            os.environ["PLAYGROUND_MODEL_DIR"] = tmp
            _, seconds = timed(bundled.prepare_bundled)
            row("first conversion (GGUF -> model folder)", f"{seconds:.1f} s")
            os.environ.pop("PLAYGROUND_MODEL_DIR") if previous is None else os.environ.update(PLAYGROUND_MODEL_DIR=previous)
    bundled.prepare_bundled()
    _, seconds = timed(load_causal_lm, bundled.BUNDLED_MODEL)
    row("later load (converted folder)", f"{seconds:.1f} s")


def speeds(tokenizer, network) -> None:
    """Threads in float32, then prefill and decode in float32 and bfloat16 on one thread (the
    runtime computes in the format core.generation.cpu_dtype picks: printed last)."""
    import torch

    from core.generation.cpu_dtype import cpu_dtype

    text = Path("sample_docs/expenses_policy.txt").read_text() + Path("sample_docs/leave_policy.md").read_text()
    ids = tokenizer(text, return_tensors="pt").input_ids
    for threads in (1, 2):
        torch.set_num_threads(threads)
        _, seconds = timed(_forward, network, ids[:, :1500])
        row(f"prefill 1,500 tokens with {threads} torch thread(s), float32", f"{1500 / seconds:,.0f} tokens/s")
        _, seconds = timed(_decode, network, ids[:, :300], 32)
        row(f"decode after a 300-token prompt, {threads} thread(s), float32", f"{32 / seconds:,.1f} tokens/s (incl. prefill)")
    torch.set_num_threads(1)
    for dtype in ("float32", "bfloat16"):
        network.to(getattr(torch, dtype))
        for n in (300, 1500, 4000, 7600):
            _, seconds = timed(_forward, network, ids[:, :n])
            row(f"prefill {n:,} prompt tokens (1 thread, {dtype})", f"{n / seconds:,.0f} tokens/s ({seconds:.1f} s)")
        _, seconds = timed(_decode, network, ids[:, :300], 32)
        row(f"decode after a 300-token prompt (1 thread, {dtype})", f"{32 / seconds:,.1f} tokens/s (incl. prefill)")
    network.to(torch.float32)
    row("the runtime computes in", cpu_dtype().note)


def _forward(network, ids):
    import torch

    with torch.inference_mode():
        network(ids)


def _decode(network, ids, n):
    import torch

    with torch.inference_mode():
        network.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False)


def lora_steps(tokenizer, network, folder: Path, steps: int = 3) -> Path:
    """Seconds per LoRA step (r=8 on q/v, batch 4 of 128 tokens), the adapter saved to `folder`."""
    import torch
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(network, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    model.train()
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    text = Path("sample_docs/house_style_guide.md").read_text()
    ids = tokenizer(text, return_tensors="pt").input_ids[0]
    batch = torch.stack([ids[i * 128:(i + 1) * 128] for i in range(4)])
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        times.append(time.perf_counter() - started)
    row("LoRA step (r=8, batch 4 x 128 tokens, 1 thread)", f"{sum(times[1:]) / max(len(times) - 1, 1):.1f} s "
        f"(first {times[0]:.1f} s; loss {loss.item():.2f})")  # fmt: skip
    model.save_pretrained(folder)
    return folder


def compare_run(adapter: Path | None, budget: int | None) -> None:
    from core.access import MMR_RERANK, lane_context
    from core.config import IndexConfig, IngestConfig, RetrievalConfig
    from core.generation.bundled import BUNDLED_MODEL
    from core.generation.extractive import ExtractiveReader
    from core.generation.local_hf import TransformersGenerator
    from core.index import build_index
    from core.lanes import LANE_KINDS, LaneConfig, run_lanes
    from core.qa import load_qa
    from core.sample import SAMPLE_DIR, load_sample
    from core.settings import data_dir
    from core.store import CorpusStore

    store = CorpusStore(data_dir())
    info, _ = load_sample(store, IngestConfig())
    index = build_index(store, info.corpus_id, IndexConfig())
    item = next(i for i in load_qa(SAMPLE_DIR / "qa.jsonl") if i.id == "hr-06")
    generator = TransformersGenerator(BUNDLED_MODEL)
    tuned = TransformersGenerator(BUNDLED_MODEL, str(adapter)) if adapter else None
    ctx = lane_context(index, store.load_documents(info.corpus_id), info, RetrievalConfig(), MMR_RERANK,
                       reader=ExtractiveReader(index.embedder), generator=generator, tuned=tuned,
                       evidence_docs=frozenset(item.sources), evidence_quotes=item.evidence)  # fmt: skip
    generator.generate([{"role": "user", "content": "hi"}], max_tokens=1)  # load once, outside the timing
    index.embedder.embed(["warm"])
    results, seconds = timed(run_lanes, item.question, ctx, [LaneConfig(k, truncate=True, context_budget=budget)
                                                                      for k in LANE_KINDS])  # fmt: skip
    row("Compare: six lanes of one question, end to end", f"{seconds:.1f} s" + ("" if adapter else " (no adapter: 4 lanes answered)"))
    for result in results:
        generate = dict(result.timings_ms).get("generate", 0) / 1000
        tokens = result.answer.usage if result.answer and result.answer.usage else None
        size = f", {tokens.prompt_tokens:,} prompt + {tokens.completion_tokens} new tokens" if tokens else ""
        row(f"  {result.label}", f"{generate:.1f} s generating{size}" + (f" ({result.error or result.setup})"
                                                                        if result.error or result.setup else ""))  # fmt: skip
        if result.answer:
            print(f"    answer: {' '.join(result.answer.text.split())[:240]}", flush=True)
    print(f"    gold ({item.id}): {item.answer}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-convert", action="store_true", help="do not time a first conversion")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--skip-lora", action="store_true")
    parser.add_argument("--skip-speeds", action="store_true", help="do not time prefill and decode")
    parser.add_argument("--context-budget", type=int, default=None, help="long-context budget (default: the lane's)")
    parser.add_argument("--adapter-out", type=Path, default=None, help="keep the LoRA adapter in this folder")
    parser.add_argument("--adapter", type=Path, default=None, help="answer the adapter lanes with this adapter "
                        "(e.g. one kept with --adapter-out) instead of training one; implies --skip-lora")
    args = parser.parse_args()
    row("load average (1, 5, 15 min) at start", ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    conversion(args.skip_convert)
    from core.generation.bundled import BUNDLED_MODEL
    from core.generation.local_hf import load_causal_lm

    tokenizer, network = load_causal_lm(BUNDLED_MODEL)
    network.eval()
    if not args.skip_speeds:
        speeds(tokenizer, network)
    with tempfile.TemporaryDirectory() as tmp:
        adapter = args.adapter or (None if args.skip_lora else lora_steps(tokenizer, network,
                                                                         args.adapter_out or Path(tmp) / "adapter"))
        del network
        if not args.skip_compare:
            compare_run(adapter, args.context_budget)
    row("load average (1, 5, 15 min) at end", ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print("\n| measure | value |\n|---|---|\n" + "\n".join(f"| {n.strip()} | {v} |" for n, v in ROWS))


if __name__ == "__main__":
    main()
