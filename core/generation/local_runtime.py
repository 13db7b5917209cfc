"""One loaded copy of each local base model per process, shared by every lane that uses it.

Adapter lanes do not load a second model: PEFT adapters (LoRA, IA³) are loaded onto the
shared base and switched with `set_adapter`; the base lanes run with the adapter layers
disabled. Generations that want the same state (no adapter, or adapter X) run together;
a switch waits until those running have finished (`AdapterGate`). An adapter of another
PEFT type than the ones already loaded (e.g. prompt tuning) gets its own copy of the base.

CPU threads: on a busy 2-core machine two torch threads per matrix product were many times
slower than one (benchmarks/bench_generation.py measures it), so each generation uses one
thread and up to `cpu_count` generations run at once; PLAYGROUND_TORCH_THREADS and
PLAYGROUND_LOCAL_CONCURRENCY override both. On CUDA the model runs in bfloat16 when supported;
on CPU in bfloat16 where that measures faster than float32 (core.generation.cpu_dtype).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from core.errors import BackendError

_TUNER_TYPES = {"LORA", "IA3", "LOHA", "LOKR", "ADALORA"}  # switchable on one shared base


def torch_threads() -> int:
    raw = os.environ.get("PLAYGROUND_TORCH_THREADS", "").strip()
    return max(1, int(raw)) if raw.isdigit() else 1


def concurrency() -> int:
    """How many local generations run at the same time (one per core by default)."""
    raw = os.environ.get("PLAYGROUND_LOCAL_CONCURRENCY", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else max(1, (os.cpu_count() or 1) // torch_threads())


@lru_cache(maxsize=1)
def generation_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(concurrency())


def _place(network):
    """Eval mode, on CUDA in bf16 when there is one; CPU threads set as measured."""
    import torch

    network.eval()
    if torch.cuda.is_available():
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return network.to("cuda", dtype=dtype)
    torch.set_num_threads(torch_threads())
    from core.generation.cpu_dtype import cpu_dtype

    if cpu_dtype().name == "bfloat16":
        from core.generation.cpu_attention import use_for

        network = network.to(torch.bfloat16)
        use_for(network)
    return network


class SharedModel:
    """A base model (and, once an adapter is asked for, its PEFT wrapper) plus the gate."""

    def __init__(self, model: str) -> None:
        from core.generation.local_hf import load_causal_lm

        self.tokenizer, network = load_causal_lm(model)
        self.model, self.base, self.peft, self.peft_type = model, _place(network), None, None
        self._names: dict[tuple[str, float], str] = {}
        self._cond, self._state, self._users = threading.Condition(), None, 0

    @property
    def compute(self) -> str:
        """Where and in which number format the model runs, e.g. for a lane's notes."""
        import torch

        from core.generation.cpu_dtype import cpu_dtype

        if self.base.device.type != "cpu":
            return f"{str(self.base.dtype).removeprefix('torch.')} on {self.base.device.type.upper()}"
        return cpu_dtype().note + f", {torch.get_num_threads()} thread(s) per answer"

    @property
    def window(self) -> int | None:
        return getattr(self.base.config, "max_position_embeddings", None)

    def accepts(self, adapter: str) -> bool:
        """Whether `adapter` can be switched on this shared base (same PEFT tuner family)."""
        kind = adapter_type(adapter)
        return kind in _TUNER_TYPES and (self.peft_type is None or kind == self.peft_type)

    @contextmanager
    def use(self, adapter: str | None):
        """The network to call with `adapter` active (None: adapters off), shared with others
        that want the same; a different state waits until they are done."""
        key = _adapter_key(adapter) if adapter else None
        with self._cond:
            while self._users and self._state != key:
                self._cond.wait()
            if self._state != key:
                self._switch(adapter, key)
            self._users += 1
        try:
            yield self.peft or self.base
        finally:
            with self._cond:
                self._users -= 1
                self._cond.notify_all()

    def _switch(self, adapter: str | None, key) -> None:
        if key is None:
            if self.peft is not None:
                self.peft.base_model.disable_adapter_layers()
            self._state = None
            return
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"adapter{len(self._names) + 1}"
            self._load(adapter, name)
        self.peft.set_adapter(name)
        if hasattr(self.peft.base_model, "enable_adapter_layers"):  # tuners (LoRA, IA3); not prompt tuning
            self.peft.base_model.enable_adapter_layers()
        self._state = key

    def _load(self, adapter: str, name: str) -> None:
        from peft import PeftModel

        try:
            if self.peft is None:
                self.peft = _place(PeftModel.from_pretrained(self.base, adapter, adapter_name=name))
                self.peft_type = adapter_type(adapter)
            else:
                self.peft.load_adapter(adapter, adapter_name=name)
                _place(self.peft)
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise BackendError(f"Adapter {adapter!r} could not be loaded onto {self.model!r}: {exc}. "
                               "Check it was trained for this base model.") from exc  # fmt: skip


def adapter_type(adapter: str) -> str:
    from peft import PeftConfig

    try:
        return str(PeftConfig.from_pretrained(adapter).peft_type).split(".")[-1].upper()
    except (OSError, ValueError) as exc:
        raise BackendError(f"{adapter!r} is not a PEFT adapter folder (no readable adapter_config.json). "
                           "Pick an adapter trained in the Fine-tuning lab or saved with save_pretrained.") from exc  # fmt: skip


def _adapter_key(adapter: str) -> tuple[str, float]:
    """Path plus the newest file time, so a retrained adapter in the same folder is reloaded."""
    folder = Path(adapter)
    times = [p.stat().st_mtime for p in folder.glob("adapter_*")] if folder.is_dir() else []
    return str(folder.resolve()) if folder.exists() else adapter, max(times, default=0.0)


_lock = threading.Lock()


@lru_cache(maxsize=2)
def _shared(model: str) -> SharedModel:
    return SharedModel(model)


@lru_cache(maxsize=2)
def _dedicated(model: str, adapter: str) -> SharedModel:
    return SharedModel(model)  # its own copy for an adapter that cannot share the base


def shared_model(model: str, adapter: str | None = None) -> SharedModel:
    """The process-wide instance for `model` (adapters of another PEFT family get their own)."""
    with _lock:  # one load at a time: concurrent lanes must not each load the same model
        shared = _shared(model)
        if adapter and not shared.accepts(adapter):
            return _dedicated(model, adapter)
        return shared
