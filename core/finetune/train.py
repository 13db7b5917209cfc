"""Train a PEFT adapter (LoRA, IA3 or prompt tuning) on chat conversations.

`train_adapter` loads a local causal LM, renders each conversation with the model's chat
template (the plain "role: content" fallback of core.generation.local_hf when there is
none), labels only the assistant tokens (-100 elsewhere), trains with transformers'
`Trainer` and saves the adapter plus the tokenizer to a folder that
`TransformersGenerator(model, adapter)` loads. A `TrainerCallback` reports each logged loss
and turns a set `threading.Event` into `control.should_training_stop`.

Not handled: multi-GPU, quantised (QLoRA) loading, packing short examples together,
resuming a stopped run. Nothing is downloaded unless HF_HUB_OFFLINE is unset.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, get_args

from core.errors import BadInputError, ConfigError

Method = Literal["lora", "ia3", "prompt_tuning"]
METHODS: tuple[str, ...] = get_args(Method)
IGNORE = -100  # label of a token the loss skips


@dataclass(frozen=True)
class TrainConfig:
    """What to train. `learning_rate` 2e-4 suits LoRA; IA3 learns faster around 1e-3 to 3e-3, and
    prompt tuning needs about 3e-2, since only `num_virtual_tokens` embeddings move.
    `target_modules` None means peft's default for the architecture (q_proj/v_proj on Llama,
    c_attn on GPT-2); with explicit targets IA3 treats none of them as feed-forward."""

    base_model: str
    method: Method = "lora"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] | None = None
    num_virtual_tokens: int = 16
    epochs: int = 1
    learning_rate: float = 2e-4
    max_length: int = 512
    batch_size: int = 4
    seed: int = 42

    def __post_init__(self) -> None:
        if not str(self.base_model).strip():
            raise ConfigError("base_model is empty: give a Hugging Face model id or a local model folder.")
        if self.method not in METHODS:
            raise ConfigError(f"method {self.method!r} is not one of {', '.join(METHODS)}.")
        if self.target_modules is not None:
            targets = tuple(self.target_modules)
            if not targets or not all(isinstance(t, str) and t.strip() for t in targets):
                raise ConfigError(f"target_modules {self.target_modules!r} must be module names such as "
                                  "('q_proj', 'v_proj'), or None for peft's default.")  # fmt: skip
            object.__setattr__(self, "target_modules", targets)
        for name, low in (("r", 1), ("alpha", 1), ("num_virtual_tokens", 1), ("epochs", 1), ("max_length", 8),
                          ("batch_size", 1)):  # fmt: skip
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ConfigError(f"{name}={value!r} must be a whole number of at least {low}.")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"dropout={self.dropout!r} must be in [0, 1), e.g. 0.05.")
        if not 0 < self.learning_rate <= 1:
            raise ConfigError(f"learning_rate={self.learning_rate!r} must be in (0, 1]: e.g. 2e-4 for LoRA, "
                              "3e-2 for prompt tuning.")  # fmt: skip

    def as_dict(self) -> dict:
        data = asdict(self)
        data["target_modules"] = list(self.target_modules) if self.target_modules else None
        return data


@dataclass(frozen=True)
class TrainProgress:
    step: int
    total_steps: int
    loss: float | None
    epoch: float


@dataclass(frozen=True)
class TrainResult:
    """What a run did. Losses are the Trainer's logged training losses as (step, loss); the eval
    losses are the held-out loss before and after training (None without eval conversations,
    and `eval_loss_after` is None when the run was stopped). `train_tokens` counts the
    tokenised training examples once (one epoch), with the base model's tokenizer."""

    adapter_dir: str
    steps: int
    total_steps: int
    losses: tuple[tuple[int, float], ...]
    eval_loss_before: float | None
    eval_loss_after: float | None
    seconds: float
    stopped: bool
    device: str
    trainable_params: int
    total_params: int
    train_tokens: int
    skipped_examples: int = 0


def load_base(model: str):
    """(tokenizer, float32 model) from a model id or folder; the pad token falls back to eos."""
    from core.generation.local_hf import load_causal_lm

    tokenizer, network = load_causal_lm(model)
    return ensure_pad_token(tokenizer, model), network


def ensure_pad_token(tokenizer, model: str):
    """Batches need a pad token: fall back to eos (padding is masked out of the loss)."""
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ConfigError(f"The tokenizer of {model!r} has neither a pad nor an eos token; add one and save it.")
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def render(tokenizer, messages: list[dict], add_generation_prompt: bool) -> str:
    """The prompt text exactly as TransformersGenerator renders it (chat template or fallback)."""
    if getattr(tokenizer, "chat_template", None):
        if not messages:
            return ""
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    text = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)
    return text + ("\n\nassistant:" if add_generation_prompt else "")


def _spans(tokenizer, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """The full text and the character span of each assistant reply in it."""
    full = render(tokenizer, messages, False)
    spans = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before, upto = render(tokenizer, messages[:i], True), render(tokenizer, messages[: i + 1], False)
        if before and upto.startswith(before) and full.startswith(upto):
            spans.append((len(before), len(upto)))
        else:  # a template that renders history differently: find the reply text itself
            start = full.find(message["content"], len(render(tokenizer, messages[:i], False)))
            if start >= 0:
                spans.append((start, start + len(message["content"])))
    return full, spans


def encode(tokenizer, messages: list[dict], max_length: int) -> dict | None:
    """input_ids / attention_mask / labels for one conversation; None when truncation left no
    assistant token. The final reply ends with eos (labelled) so the model learns to stop."""
    text, spans = _spans(tokenizer, messages)
    try:
        enc = tokenizer(text, return_offsets_mapping=True)
        ids, offsets = list(enc["input_ids"]), list(enc["offset_mapping"])
    except NotImplementedError:  # a tokenizer without offsets: encode piece by piece, no special tokens
        ids, offsets, cursor = [], [], 0
        for start, end in [*spans, (len(text), len(text))]:
            for a, b in ((cursor, start), (start, end)):
                piece = tokenizer(text[a:b], add_special_tokens=False)["input_ids"] if b > a else []
                ids += piece
                offsets += [(a, b)] * len(piece)
            cursor = end
    inside = [any(a < e and b > s and b > a for s, e in spans) for a, b in offsets]
    labels = [t if keep else IGNORE for t, keep in zip(ids, inside)]
    eos = tokenizer.eos_token_id
    last = spans[-1] if spans and messages[-1]["role"] == "assistant" else None
    if last and eos is not None:
        tail = [t for t, (a, b) in zip(ids, offsets) if a < last[1] and b > last[0]]
        if eos not in tail:
            if ids and ids[-1] == eos:
                labels[-1] = eos
            else:
                ids, labels = ids + [eos], labels + [eos]
    ids, labels = ids[:max_length], labels[:max_length]
    if all(label == IGNORE for label in labels):
        return None
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels}


def check_conversations(convs, what: str) -> list[list[dict]]:
    out = []
    for n, conv in enumerate(convs, start=1):
        ok = isinstance(conv, (list, tuple)) and all(
            isinstance(m, dict) and m.get("role") in ("system", "user", "assistant") and isinstance(m.get("content"), str)
            for m in conv)  # fmt: skip
        if not ok or not any(m["role"] == "assistant" for m in conv):
            raise BadInputError(f"{what} conversation {n}", "must be a list of {'role', 'content'} messages "
                                "(system, user, assistant) with at least one assistant reply.")  # fmt: skip
        out.append([{"role": m["role"], "content": m["content"]} for m in conv])
    return out


def encode_all(tokenizer, convs, max_length: int, what: str) -> tuple[list[dict], int]:
    """Encoded examples and how many were skipped (no assistant token left after truncation)."""
    encoded = []
    for n, conv in enumerate(check_conversations(convs, what), start=1):
        try:
            encoded.append(encode(tokenizer, conv, max_length))
        except Exception as exc:  # jinja template errors share no base class with ours
            raise BadInputError(f"{what} conversation {n}", f"the model's chat template rejected it ({exc}). Some "
                                "templates need strict user/assistant alternation or no system message.") from exc  # fmt: skip
    return [e for e in encoded if e is not None], sum(e is None for e in encoded)


class Collate:
    """Right-pads a batch (pad id, mask 0, label -100) and counts its real tokens."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id, self.tokens = pad_id, []

    def __call__(self, batch: list[dict]):
        import torch

        width = max(len(b["input_ids"]) for b in batch)
        self.tokens.append(sum(len(b["input_ids"]) for b in batch))

        def pad(key, value):
            return torch.tensor([b[key] + [value] * (width - len(b[key])) for b in batch])

        return {"input_ids": pad("input_ids", self.pad_id), "attention_mask": pad("attention_mask", 0),
                "labels": pad("labels", IGNORE)}  # fmt: skip


def peft_model(network, config: TrainConfig):
    from peft import IA3Config, LoraConfig, PromptTuningConfig, TaskType, get_peft_model

    targets = list(config.target_modules) if config.target_modules else None
    if config.method == "lora":
        spec = LoraConfig(task_type=TaskType.CAUSAL_LM, r=config.r, lora_alpha=config.alpha,
                          lora_dropout=config.dropout, target_modules=targets)  # fmt: skip
    elif config.method == "ia3":
        spec = IA3Config(task_type=TaskType.CAUSAL_LM, target_modules=targets, feedforward_modules=[] if targets else None)
    else:
        spec = PromptTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=config.num_virtual_tokens)
    try:
        return get_peft_model(network, spec)
    except ValueError as exc:
        raise ConfigError(f"{config.method} cannot be applied to {config.base_model!r}: {exc}. Name the layers to "
                          "adapt in target_modules (e.g. ('q_proj', 'v_proj') or ('c_attn',)).") from exc  # fmt: skip


def trainer_for(config: TrainConfig, model, tokenizer, train, evaluate, workdir: str, callbacks, max_steps: int = -1):
    """A Trainer with no reporting, no mid-run checkpoints, fixed seed; bf16 on a GPU that has it. On a CPU it
    uses the generation's thread count (one by default: on a busy 2-core machine a LoRA step of the bundled
    model took about 45 s with one torch thread against 150-220 s with two)."""
    import torch
    from transformers import PrinterCallback, Trainer, TrainingArguments

    from core.generation.local_runtime import torch_threads

    gpu = torch.cuda.is_available()
    if not gpu:
        torch.set_num_threads(torch_threads())
    args = TrainingArguments(
        output_dir=workdir, num_train_epochs=config.epochs, max_steps=max_steps, learning_rate=config.learning_rate,
        per_device_train_batch_size=config.batch_size, per_device_eval_batch_size=config.batch_size,
        logging_strategy="steps", logging_steps=max(1, _total_steps(config, len(train)) // 200), save_strategy="no",
        eval_strategy="no", report_to="none", disable_tqdm=True, seed=config.seed, data_seed=config.seed,
        use_cpu=not gpu, bf16=gpu and torch.cuda.is_bf16_supported(), remove_unused_columns=False,
        label_names=["labels"], dataloader_num_workers=0,
    )  # fmt: skip
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluate or None,
                      data_collator=Collate(tokenizer.pad_token_id), callbacks=callbacks)  # fmt: skip
    trainer.remove_callback(PrinterCallback)  # progress goes to our callback, not stdout
    return trainer


def _total_steps(config: TrainConfig, examples: int) -> int:
    return math.ceil(examples / config.batch_size) * config.epochs


def _callback(total: int, losses: list, on_progress, stop):
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))
                if on_progress:
                    on_progress(TrainProgress(state.global_step, total, float(logs["loss"]), float(state.epoch or 0)))
            if stop is not None and stop.is_set():  # on_log runs after on_step_end: a stop set just now counts
                control.should_training_stop = True

        def on_step_end(self, args, state, control, **kwargs):
            if stop is not None and stop.is_set():
                control.should_training_stop = True
            elif on_progress and state.global_step % args.logging_steps:  # a step without a logged loss
                on_progress(TrainProgress(state.global_step, total, None, float(state.epoch or 0)))

    return Progress()


def train_adapter(config: TrainConfig, train_convs, eval_convs, out_dir: Path | str,
                  on_progress: Callable[[TrainProgress], None] | None = None,
                  stop: threading.Event | None = None) -> TrainResult:  # fmt: skip
    """Train, save the adapter and tokenizer to `out_dir`, and say what happened.

    A set `stop` ends training after the current step; the adapter trained so far is saved
    and `stopped` is True."""
    from transformers import set_seed

    started = time.perf_counter()
    tokenizer, network = load_base(config.base_model)
    train, skipped = encode_all(tokenizer, train_convs, config.max_length, "training")
    held_out, _ = encode_all(tokenizer, eval_convs or [], config.max_length, "evaluation")
    if not train:
        raise BadInputError("training set", f"no conversation has an assistant token within max_length="
                            f"{config.max_length}; raise max_length or shorten the examples.")  # fmt: skip
    set_seed(config.seed)
    model = peft_model(network, config)
    trainable, total_params = model.get_nb_trainable_parameters()
    total, losses = _total_steps(config, len(train)), []
    with tempfile.TemporaryDirectory(prefix="playground-train-") as workdir:
        trainer = trainer_for(config, model, tokenizer, train, held_out, workdir,
                              [_callback(total, losses, on_progress, stop)])  # fmt: skip
        before = trainer.evaluate()["eval_loss"] if held_out else None
        trainer.train()
        steps = trainer.state.global_step
        stopped = stop is not None and stop.is_set() and steps < trainer.state.max_steps
        after = trainer.evaluate()["eval_loss"] if held_out and not stopped else None
        device = str(trainer.args.device)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return TrainResult(str(out), steps, trainer.state.max_steps, tuple(losses), before, after,
                       time.perf_counter() - started, stopped, device, int(trainable), int(total_params),
                       sum(len(e["input_ids"]) for e in train), skipped)  # fmt: skip
