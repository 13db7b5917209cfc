"""One model instance, many callers: embedding requests from any thread go through one
queue per model, and one worker thread runs the model on merged, de-duplicated batches.

Why: sessions of one server share the cached model. Calling it from many threads at once
oversubscribes the CPU (each call starts its own torch threads), can trip the fast
tokenizer's "Already borrowed" error, and repeats work when threads ask for the same
texts (every session's extractive reader embeds the same retrieved sentences). Here small
requests (a question, a few sentences) are merged and served before the slices of a big
one (an index build), so a query never waits for a whole build; identical texts in one
round are embedded once, and a merged round is sorted by length (less padding). Errors
reach every caller whose texts were in the failed batch.
It does not bound the queue: callers wait as long as the model needs.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

Encode = Callable[[list[str]], np.ndarray]


@dataclass
class _Job:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: np.ndarray | None = None
    error: BaseException | None = None


class EmbedQueue:
    def __init__(self, encode: Encode, step: int = 128, merge: int = 512) -> None:
        self.encode, self.step, self.merge = encode, step, merge  # slice size; most texts merged per call
        self._small: deque[_Job] = deque()
        self._big: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self.rounds = 0  # model calls made (for tests and benchmarks)

    def embed(self, texts: Sequence[str], progress=None) -> np.ndarray:
        texts = list(texts)
        jobs = [_Job(texts[i : i + self.step]) for i in range(0, len(texts), self.step)]
        with self._cond:
            (self._small if len(jobs) == 1 else self._big).extend(jobs)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="embed-queue", daemon=True)
                self._worker.start()
            self._cond.notify()
        parts, finished = [], 0
        for job in jobs:
            job.done.wait()
            if job.error is not None:
                raise job.error
            parts.append(job.vectors)
            finished += len(job.texts)
            if progress:
                progress(finished / len(texts), f"Embedded {finished}/{len(texts)}")
        return np.vstack(parts)

    def _take(self) -> list[_Job]:
        """Small jobs up to `merge` texts (at least one), else the next slice of a big job."""
        with self._cond:
            while not self._small and not self._big:
                self._cond.wait()
            if not self._small:
                return [self._big.popleft()]
            jobs, size = [self._small.popleft()], 0
            size = len(jobs[0].texts)
            while self._small and size + len(self._small[0].texts) <= self.merge:
                size += len(self._small[0].texts)
                jobs.append(self._small.popleft())
            return jobs

    def _run(self) -> None:
        while True:
            jobs = self._take()
            # by length, so the model's batches of a merged round pad little (callers sort only their own)
            unique = sorted(dict.fromkeys(t for job in jobs for t in job.texts), key=len)
            try:
                vectors = np.asarray(self.encode(unique), dtype=np.float32)
                row = {t: i for i, t in enumerate(unique)}
                for job in jobs:
                    job.vectors = vectors[[row[t] for t in job.texts]]
            except BaseException as exc:  # handed to the callers, who raise it
                for job in jobs:
                    job.error = exc
            self.rounds += 1
            for job in jobs:
                job.done.set()


_queues: dict[tuple, EmbedQueue] = {}
_lock = threading.Lock()


def shared_queue(key: tuple, encode: Encode, step: int = 128) -> EmbedQueue:
    """The one queue for `key` (e.g. the model name and batch size)."""
    with _lock:
        if key not in _queues:
            _queues[key] = EmbedQueue(encode, step)
        return _queues[key]
