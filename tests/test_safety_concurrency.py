"""Many sessions, one model: concurrent embedding calls are merged by one queue (one
worker runs the model), and texts another thread is embedding are waited for, not
embedded again."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from core.embed_queue import EmbedQueue
from core.embedding import VectorCache

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")  # overlap fails


class CountingModel:
    """A stand-in model: a text's vector is its length; it records every call and forbids overlap."""

    def __init__(self, delay: float = 0.05) -> None:
        self.calls: list[list[str]] = []
        self.busy = threading.Lock()
        self.delay = delay

    def encode(self, texts):
        assert self.busy.acquire(blocking=False), "the model was called from two threads at once"
        try:
            self.calls.append(list(texts))
            time.sleep(self.delay)
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
        finally:
            self.busy.release()


def _together(n: int, work) -> list:
    barrier, out = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        out[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return out


def test_the_queue_merges_callers_and_never_overlaps_model_calls():
    model = CountingModel()
    queue = EmbedQueue(model.encode, step=64)
    results = _together(30, lambda i: queue.embed([f"question {i}", "shared text"]))
    for i, vectors in enumerate(results):
        assert vectors.tolist() == [[len(f"question {i}"), 1.0], [len("shared text"), 1.0]]
    assert len(model.calls) < 30 and sum(len(c) for c in model.calls) < 60  # merged, "shared text" once per round
    big = queue.embed([f"chunk {n}" for n in range(200)], progress=lambda f, m: None)
    assert big.shape == (200, 2) and big[199, 0] == len("chunk 199")


def test_a_failing_batch_reaches_its_callers_and_the_queue_keeps_working():
    calls = []

    def encode(texts):
        calls.append(texts)
        if "bad" in texts:
            raise ValueError("model failed")
        return np.ones((len(texts), 2), dtype=np.float32)

    queue = EmbedQueue(encode)
    with pytest.raises(ValueError, match="model failed"):
        queue.embed(["bad"])
    assert queue.embed(["good"]).shape == (1, 2)


class Embedder:
    """As SentenceTransformerEmbedder: every call goes through the model's one queue."""

    def __init__(self, model):
        self.queue, self.name = EmbedQueue(model.encode), "counting"

    def embed(self, texts, progress=None):
        return self.queue.embed(texts, progress)


def test_the_sentence_cache_embeds_each_text_once_under_concurrency():
    model = CountingModel(delay=0.2)
    cache = VectorCache(Embedder(model))
    sentences = [f"sentence {n} of the retrieved passages" for n in range(40)]
    results = _together(20, lambda i: cache.vectors(sentences[i % 5 :] + ["only mine " + str(i)]))
    embedded = [t for call in model.calls for t in call]
    assert sorted(set(embedded) & set(sentences)) == sorted(sentences) and len(embedded) == len(set(embedded))
    assert all(r.shape == (len(sentences[i % 5 :]) + 1, 2) for i, r in enumerate(results))
