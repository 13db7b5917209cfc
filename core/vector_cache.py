"""Vectors of texts kept across calls, and the one cache per model that a process shares.

VectorCache is thread-safe: a text another thread is embedding right now is waited for,
not embedded again. `shared_cache(embedder)` is the process's cache for a model, used by
every extractive reader and retriever of it, and it also holds named sets of vectors
computed ahead (core.index.sentences). It does not persist anything itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from core.embedding import Embedder


class VectorCache:
    """Vectors of texts seen before, kept across calls (thread-safe; cleared past `limit`).
    A text another thread is embedding right now is waited for, not embedded again, so
    many sessions asking about the same passages at once embed them once. `prepare` adds
    a named set of vectors computed ahead (core.index.sentences), looked up first and
    never cleared by `limit`; the newest `prepared_sets` sets are kept."""

    def __init__(self, embedder: Embedder, limit: int = 50_000, prepared_sets: int = 4) -> None:
        self.embedder, self.limit, self.prepared_sets = embedder, limit, prepared_sets
        self._cache: dict[str, np.ndarray] = {}
        self._prepared: dict[str, dict[str, np.ndarray]] = {}  # set key -> text -> vector, oldest first
        self._pending: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def prepare(self, key: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Make `vectors` (one row per text) available under the set name `key`."""
        rows = dict(zip(texts, np.asarray(vectors, dtype=np.float32)))
        with self._lock:
            self._prepared.pop(key, None)
            self._prepared[key] = rows
            while len(self._prepared) > self.prepared_sets:
                self._prepared.pop(next(iter(self._prepared)))

    def prepared_keys(self) -> list[str]:
        with self._lock:
            return list(self._prepared)

    def _lookup(self, text: str) -> np.ndarray | None:
        for rows in self._prepared.values():
            if (vector := rows.get(text)) is not None:
                return vector
        return self._cache.get(text)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        mine, claimed = threading.Event(), []
        with self._lock:
            known = {t: v for t in dict.fromkeys(texts) if (v := self._lookup(t)) is not None}
            theirs = {t: self._pending[t] for t in texts if t not in known and t in self._pending}
            for t in dict.fromkeys(t for t in texts if t not in known and t not in theirs):
                self._pending[t] = mine
                claimed.append(t)
        try:
            if claimed:
                self._embed(claimed, known)
        finally:
            with self._lock:
                for t in claimed:
                    self._pending.pop(t, None)
            mine.set()
        for event in set(theirs.values()):
            event.wait()
        with self._lock:
            known.update((t, self._cache[t]) for t in theirs if t in self._cache)
        left = [t for t in theirs if t not in known]  # the other thread failed, or the cache was cleared
        if left:
            self._embed(left, known)
        return np.array([known[t] for t in texts])

    def _embed(self, texts: list[str], known: dict) -> None:
        known.update(zip(texts, np.asarray(self.embedder.embed(texts), dtype=np.float32)))
        with self._lock:
            if len(self._cache) > self.limit:
                self._cache.clear()
            self._cache.update((t, known[t]) for t in texts)


_SHARED: dict[tuple[str, str], VectorCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_cache(embedder: Embedder) -> VectorCache:
    """The process's one VectorCache for a model (its embedder class and name): every reader
    and retriever of that model shares it, so a sentence or question embedded by one
    session serves all of them."""
    key = (type(embedder).__qualname__, embedder.name)
    with _SHARED_LOCK:
        cache = _SHARED.get(key)
        if cache is None:
            cache = _SHARED[key] = VectorCache(embedder)
        return cache


def forget_shared(name: str | None = None) -> None:
    """Drop the shared caches of model `name` (all when None): for benchmarks' cold runs and tests."""
    with _SHARED_LOCK:
        for key in [k for k in _SHARED if name is None or k[1] == name]:
            del _SHARED[key]
