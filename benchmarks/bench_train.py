"""How good is the Fine-tuning lab's time estimate? Measured training time against it.

    .venv/bin/python benchmarks/bench_train.py [--model FOLDER] [--examples 64] [--epochs 1]

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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
