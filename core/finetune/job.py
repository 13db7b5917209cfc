"""A training run in a background thread, so a Streamlit page stays live while it trains.

`TrainingJob.start()` runs `train_adapter` on a daemon thread; `snapshot()` returns an
immutable `JobStatus` a page can draw on each rerun; `stop()` asks training to end after
the current step (the adapter trained so far is still saved). On success or stop,
`on_done(result)` runs on the training thread (the page registers the adapter there).
One job trains once: start a new job to train again.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from core.errors import PlaygroundError
from core.finetune.train import TrainConfig, TrainProgress, TrainResult, train_adapter

JobState = Literal["queued", "running", "done", "stopped", "failed"]


@dataclass(frozen=True)
class JobStatus:
    state: JobState
    step: int = 0
    total_steps: int = 0
    losses: tuple[tuple[int, float], ...] = ()
    eval_loss: float | None = None
    message: str = "Queued."
    error: str | None = None
    result: TrainResult | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


class TrainingJob:
    """Thread-safe wrapper around one `train_adapter` call."""

    def __init__(self, config: TrainConfig, train_convs, eval_convs, out_dir: Path | str,
                 on_done: Callable[[TrainResult], None] | None = None) -> None:  # fmt: skip
        self.config, self.out_dir, self.on_done = config, Path(out_dir), on_done
        self._train, self._eval = list(train_convs), list(eval_convs or [])
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._status = JobStatus("queued")
        self._thread: threading.Thread | None = None

    def start(self) -> TrainingJob:
        with self._lock:
            if self._thread is not None:
                raise PlaygroundError("This training job was already started; create a new job to train again.")
            self._thread = threading.Thread(target=self._run, name="adapter-training", daemon=True)
            self._status = replace(self._status, state="running", message="Loading the base model...")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask training to stop after the current step; the partial adapter is saved."""
        self._stop.set()
        self._set(message="Stopping after the current step...")

    def snapshot(self) -> JobStatus:
        with self._lock:
            return self._status

    def wait(self, timeout: float | None = None) -> JobStatus:
        """Block until the job finishes (or `timeout` seconds pass) and return its status."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot()

    def _set(self, **changes) -> None:
        with self._lock:
            if not self._status.finished:
                self._status = replace(self._status, **changes)

    def _progress(self, progress: TrainProgress) -> None:
        with self._lock:
            status = self._status
            losses = status.losses + ((progress.step, progress.loss),) if progress.loss is not None else status.losses
            message = f"Step {progress.step} of {progress.total_steps}, epoch {progress.epoch:.2f}."
            if progress.step >= progress.total_steps:
                message += " Measuring the held-out loss and saving the adapter..."
            self._status = replace(status, step=progress.step, total_steps=progress.total_steps, losses=losses,
                                   message=message)  # fmt: skip

    def _run(self) -> None:
        try:
            result = train_adapter(self.config, self._train, self._eval, self.out_dir, self._progress, self._stop)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page, not die with the thread
            error = str(exc) if isinstance(exc, PlaygroundError) else f"{type(exc).__name__}: {exc}"
            if self.out_dir.is_dir() and not (self.out_dir / "adapter_config.json").exists():
                shutil.rmtree(self.out_dir, ignore_errors=True)  # nothing was saved: leave no empty adapter folder
            self._set(state="failed", message="Training failed.", error=error)
            return
        state = "stopped" if result.stopped else "done"
        eval_loss = result.eval_loss_after if result.eval_loss_after is not None else result.eval_loss_before
        message = (f"Stopped at step {result.steps} of {result.total_steps}; the partial adapter is saved."
                   if result.stopped else f"Trained {result.steps} steps in {result.seconds:.1f} s.")  # fmt: skip
        try:
            if self.on_done is not None:
                self.on_done(result)
        except Exception as exc:  # noqa: BLE001
            self._set(state="failed", result=result, step=result.steps, total_steps=result.total_steps,
                      losses=result.losses, eval_loss=eval_loss, error=f"{type(exc).__name__}: {exc}",
                      message=f"Training finished (adapter saved in {result.adapter_dir}) but on_done failed.")  # fmt: skip
            return
        self._set(state=state, result=result, step=result.steps, total_steps=result.total_steps, losses=result.losses,
                  eval_loss=eval_loss, message=message)  # fmt: skip
