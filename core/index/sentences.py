"""Sentence vectors prepared ahead for the extractive reader, one set per index version.

The reader scores every quotable sentence of the retrieved chunks against the question.
Embedding those sentences on the fly is what made many sessions slow: each distinct
question brings new sentences. `prepare_sentences` embeds every quotable sentence of an
index once (`python -m core load-sample` and the app's warm-up call it), saves them next
to the index and hands them to the model's shared cache (core.embedding.shared_cache),
which every reader of that model uses.

Layout: <data dir>/indexes/<corpus id>/<config key>/sentences/<fingerprint>-<model>.npz,
written atomically (a temporary file renamed over), holding the texts, their vectors and
a digest of the model name and texts. A file is used only when its digest matches the
index's current sentences and model, so a changed corpus, chunking or embedder never
reuses stale vectors; an unreadable or half-written file is ignored and rebuilt. It does
not cover text outside the index (long-context documents): the reader embeds that itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embedding import shared_cache
from core.fsutil import atomic_write_bytes
from core.generation.extractive import quotable_sentences
from core.progress import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedSentences:
    """What `prepare_sentences` made ready."""

    path: Path
    sentences: int
    embedded: int  # embedded by this call (0 when loaded from disk)


def index_sentences(chunks) -> list[str]:
    """Every sentence of `chunks` the extractive reader may quote, each once, in order."""
    return list(dict.fromkeys(s for chunk in chunks for s in quotable_sentences(chunk.text)))


def store_path(data_dir: Path, index) -> Path:
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", index.embedder.name)[-60:]
    return data_dir / "indexes" / index.corpus_id / index.config.key / "sentences" / f"{index.fingerprint}-{model}.npz"


def _digest(model: str, texts: list[str]) -> str:
    return hashlib.sha256(json.dumps([model, texts], ensure_ascii=False).encode("utf-8")).hexdigest()


def load_store(path: Path, model: str, texts: list[str]) -> np.ndarray | None:
    """The saved vectors of `texts` for `model`, or None when the file is missing, stale or damaged."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            vectors = np.asarray(data["vectors"], dtype=np.float32)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("Ignoring unreadable sentence vectors %s (%s); they are embedded again.", path, type(exc).__name__)
        return None
    if meta.get("digest") != _digest(model, texts) or vectors.shape[0] != len(texts) or not np.isfinite(vectors).all():
        return None
    return vectors


def save_store(path: Path, model: str, texts: list[str], vectors: np.ndarray) -> None:
    meta = json.dumps({"model": model, "count": len(texts), "digest": _digest(model, texts)}).encode("utf-8")
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(meta, dtype=np.uint8), vectors=np.asarray(vectors, dtype=np.float32))
    atomic_write_bytes(path, buffer.getvalue())


def prepare_sentences(data_dir: Path, index, progress: Progress | None = None,
                      max_sentences: int | None = None) -> PreparedSentences | None:  # fmt: skip
    """Load (or embed and save) the sentence vectors of `index` and share them with every
    reader of its model. With `max_sentences`, an index with more sentences than that is
    not embedded here (None is returned) unless its vectors are already saved."""
    report = progress or (lambda fraction, message: None)
    texts = index_sentences(index.chunks)
    path = store_path(Path(data_dir), index)
    name = index.embedder.name
    vectors = load_store(path, name, texts)
    embedded = 0
    if vectors is None:
        if max_sentences is not None and len(texts) > max_sentences:
            return None
        report(0.0, f"Embedding {len(texts):,} sentences for the extractive reader")
        vectors = index.embedder.embed(texts, progress=lambda f, m: report(0.98 * f, f"Sentence vectors: {m}"))
        save_store(path, name, texts, vectors)
        embedded = len(texts)
    shared_cache(index.embedder).prepare(str(path), texts, vectors)
    report(1.0, "Sentence vectors ready")
    return PreparedSentences(path, len(texts), embedded)
