"""How good is the Fine-tuning lab's time estimate? Measured training time against it.

    .venv/bin/python benchmarks/bench_train.py [--model FOLDER] [--examples 64] [--epochs 1]
    .venv/bin/python benchmarks/bench_train.py --preset [--model FOLDER]   # the workshop preset, timed

Builds the sample corpus's knowledge + rule dataset, measures throughput with a few real
steps (the page's "Measure throughput" button), predicts the run's time from it, trains
the adapter, and prints measured / predicted (target: within 0.5 to 2). Without --model it
uses a small Llama built from a config (random weights, the bundled MiniLM tokenizer), so
it runs offline; give a real small instruct model folder for real figures. Also prints the
6·N·T estimate at the assumed throughput, to show how far an unmeasured estimate can be.
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

from core.config import IngestConfig  # noqa: E402
from core.finetune.dataset import DatasetSpec, build_dataset  # noqa: E402
from core.finetune.estimate import estimate_training, measure_throughput  # noqa: E402
from core.finetune.modelinfo import parameter_count  # noqa: E402
from core.finetune.train import TrainConfig, train_adapter  # noqa: E402
from core.qa import load_qa  # noqa: E402
from core.sample import SAMPLE_DIR, load_sample  # noqa: E402
from core.store import CorpusStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="a causal LM folder (default: a tiny Llama built here)")
    parser.add_argument("--examples", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--preset", action="store_true", help="time the workshop preset on --model "
                        "(default: the bundled model) and show answers before and after")  # fmt: skip
    args = parser.parse_args()
    if args.preset:
        return preset(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            from tests.llm_server import make_tiny_llama

            model = str(make_tiny_llama(Path(tmp) / "tiny-llama"))
        store = CorpusStore(Path(tmp) / "data")
        load_sample(store, IngestConfig())
        spec = DatasetSpec(style=False, raft=False)
        dataset = build_dataset(store.load_documents("sample"), load_qa(SAMPLE_DIR / "qa.jsonl"), spec)
        train = [e.messages for e in dataset.train[: args.examples]]
        config = TrainConfig(model, epochs=args.epochs, max_length=args.max_length, learning_rate=2e-4)
        tokens_per_second = measure_throughput(config, train[:16], steps=3)
        started = time.perf_counter()
        result = train_adapter(config, train, [], Path(tmp) / "adapter")
        seconds = time.perf_counter() - started
        tokens = result.train_tokens
        measured = estimate_training(tokens, args.epochs, result.total_params, "cpu", 0.0, tokens_per_second)
        flops = estimate_training(tokens, args.epochs, parameter_count(model) or result.total_params, "cpu", 0.0)
        print(f"model {model}: {result.total_params:,} parameters, {len(train)} examples, {tokens:,} tokens x "
              f"{args.epochs} epochs, {result.steps} steps on {result.device}")
        print(f"training (incl. model load and save): {seconds:.1f} s; trainer loop: {result.seconds:.1f} s")
        print(f"predicted from measured throughput ({tokens_per_second:,.0f} tokens/s): {measured.seconds:.1f} s; "
              f"measured / predicted = {seconds / measured.seconds:.2f}")
        print(f"6*N*T estimate at an assumed 0.1 TFLOP/s: {flops.seconds:.1f} s; measured / estimate = "
              f"{seconds / flops.seconds:.2f}")
        print(f"loss {result.losses[0][1]:.3f} -> {result.losses[-1][1]:.3f}" if result.losses else "no loss logged")


QUESTIONS = ("What is our standard billing rate for a first-year associate?",
             "What was Northwind's total revenue from the Bluefin relationship in fiscal year 2025?")


def preset(model: str | None) -> None:
    """The workshop preset as the page runs it: wall and CPU seconds in all and per step, losses,
    held-out loss, and the fine-tuned lane's answers to two questions before and after."""
    from core.finetune.preset import WORKSHOP
    from core.generation.bundled import BUNDLED_MODEL
    from core.generation.local_hf import TransformersGenerator
    from core.prompts import fine_tuned_prompt

    chosen = WORKSHOP.for_base(model or BUNDLED_MODEL)
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp) / "data")
        load_sample(store, IngestConfig())
        dataset = build_dataset(store.load_documents("sample"), load_qa(SAMPLE_DIR / "qa.jsonl"), chosen.spec)
        train, held_out = chosen.select(dataset)
        before = [TransformersGenerator(chosen.config.base_model).generate(fine_tuned_prompt(q).messages).text
                  for q in QUESTIONS]  # fmt: skip
        marks = []
        wall, cpu = time.perf_counter(), time.process_time()
        result = train_adapter(chosen.config, train, held_out, Path(tmp) / "adapter",
                               lambda p: marks.append((time.perf_counter(), time.process_time())))  # fmt: skip
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(marks, marks[1:])]
        print(f"preset on {chosen.config.base_model}: {len(train)} examples, {result.steps} steps, "
              f"{result.train_tokens:,} tokens, {result.trainable_params:,} trainable parameters")
        print(f"training incl. load, held-out loss twice and save: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        if steps:
            print(f"per step (steps 2..{result.steps}): {sum(s[0] for s in steps) / len(steps):.1f} s wall, "
                  f"{sum(s[1] for s in steps) / len(steps):.1f} s CPU")
        print(f"training loss {result.losses[0][1]:.3f} -> {result.losses[-1][1]:.3f}; held-out loss "
              f"{result.eval_loss_before:.3f} -> {result.eval_loss_after:.3f}")
        for question, old in zip(QUESTIONS, before):
            new = TransformersGenerator(chosen.config.base_model, str(Path(tmp) / "adapter")).generate(
                fine_tuned_prompt(question).messages).text  # fmt: skip
            print(f"\nQ: {question}\n  base:    {old!r}\n  adapter: {new!r}")


if __name__ == "__main__":
    main()
