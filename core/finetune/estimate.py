"""What a training run will cost: time and dollars locally, and the same tokens on hosted services.

Time comes from a measured throughput when one is given (`measure_throughput` runs a few
real steps), otherwise from the 6*N*T rule for training FLOPs (Kaplan et al. 2020,
"Scaling Laws for Neural Language Models": about 6 FLOPs per parameter per token for a
forward plus backward pass) at an assumed sustained throughput; the result says which.
6*N*T overstates adapter training a little (frozen weights need no weight gradients).
litellm has no training prices, so the hosted quotes come from the table below, with its
source and date; tokens there are counted with the base model's tokenizer, not the
provider's, so each quote is an estimate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from core.errors import ConfigError
from core.finetune.train import (
    Collate,
    TrainConfig,
    encode_all,
    load_base,
    peft_model,
    trainer_for,
)

# Assumed sustained training throughput in FLOP/s (estimates, not measurements):
# GPU: 40% utilisation of the ~125 TFLOP/s dense bf16 peak of an A10G/L4-class card.
# CPU: 0.1 TFLOP/s, a multi-core desktop running fp32 PyTorch training at well below peak.
ASSUMED_FLOPS = {"gpu": 50e12, "cpu": 0.1e12}

# Training $ per 1M tokens. Not confirmed on openai.com from here (no access); the gpt-4o-mini ($3) and
# gpt-4o ($25) figures match a third-party summary, tokonomics.ca/blog/llm-fine-tuning-costs-guide.
HOSTED_SOURCE = "OpenAI fine-tuning prices as published on openai.com/api/pricing, 2025; check before relying"
HOSTED_TRAINING_PER_MILLION = {
    "openai/gpt-4o-mini-2024-07-18": 3.00,
    "openai/gpt-4o-2024-08-06": 25.00,
    "openai/gpt-4.1-nano-2025-04-14": 1.50,
    "openai/gpt-4.1-mini-2025-04-14": 5.00,
    "openai/gpt-4.1-2025-04-14": 25.00,
}


@dataclass(frozen=True)
class HostedQuote:
    model: str
    per_million: float
    dollars: float
    source: str


@dataclass(frozen=True)
class TrainingEstimate:
    """`seconds_basis` says where `seconds` comes from; `dollars` is None on a CPU (your own machine)."""

    tokens_total: int
    seconds: float
    seconds_basis: str
    measured: bool
    dollars: float | None
    gpu_price_per_hour: float
    hosted: tuple[HostedQuote, ...]


def estimate_training(train_tokens: int, epochs: int, params: int, device: Literal["cpu", "gpu"],
                      gpu_price_per_hour: float, tokens_per_second: float | None = None,
                      flops_per_second: float | None = None) -> TrainingEstimate:  # fmt: skip
    """Time and cost of training on `train_tokens` x `epochs` tokens with a model of `params` parameters."""
    if device not in ASSUMED_FLOPS:
        raise ConfigError(f"device {device!r} is not 'cpu' or 'gpu'.")
    for name, value in (("train_tokens", train_tokens), ("epochs", epochs), ("params", params)):
        if value < (1 if name != "train_tokens" else 0):
            raise ConfigError(f"{name}={value!r} must be positive.")
    if gpu_price_per_hour < 0:
        raise ConfigError(f"gpu_price_per_hour={gpu_price_per_hour!r} cannot be negative; use 0 for a free GPU.")
    tokens = int(train_tokens) * int(epochs)
    if tokens_per_second is not None:
        if tokens_per_second <= 0:
            raise ConfigError(f"tokens_per_second={tokens_per_second!r} must be positive; measure it again.")
        seconds, measured = tokens / tokens_per_second, True
        basis = f"measured: {tokens_per_second:,.0f} tokens/s on this machine ({device})"
    else:
        flops = flops_per_second or ASSUMED_FLOPS[device]
        seconds, measured = 6 * params * tokens / flops, False
        basis = (f"estimate: 6 x {params:,} parameters x {tokens:,} tokens FLOPs at "
                 f"{'your' if flops_per_second else 'an assumed'} {flops / 1e12:g} TFLOP/s ({device})")  # fmt: skip
    dollars = seconds / 3600 * gpu_price_per_hour if device == "gpu" else None
    hosted = tuple(HostedQuote(model, price, tokens / 1e6 * price, HOSTED_SOURCE)
                   for model, price in HOSTED_TRAINING_PER_MILLION.items())  # fmt: skip
    return TrainingEstimate(tokens, seconds, basis, measured, dollars, gpu_price_per_hour, hosted)


def measure_throughput(config: TrainConfig, convs, steps: int = 2) -> float:
    """Training tokens per second over `steps` real steps, after one warm-up step (nothing is saved)."""
    import tempfile

    from transformers import TrainerCallback, set_seed

    if steps < 1:
        raise ConfigError(f"steps={steps!r} must be at least 1.")
    tokenizer, network = load_base(config.base_model)
    examples, _ = encode_all(tokenizer, convs, config.max_length, "throughput")
    if not examples:
        raise ConfigError("No conversation has an assistant token within max_length; nothing to measure.")
    set_seed(config.seed)
    model, marks = peft_model(network, config), []

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            marks.append(time.perf_counter())

    with tempfile.TemporaryDirectory(prefix="playground-measure-") as workdir:
        trainer = trainer_for(config, model, tokenizer, examples, [], workdir, [Clock()], max_steps=steps + 1)
        trainer.train()
    collate: Collate = trainer.data_collator
    tokens = sum(collate.tokens[1 : steps + 1])
    return tokens / max(marks[steps] - marks[0], 1e-9)
