"""Shared fixtures: an isolated data folder and a store on it. No network is used."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The fast path answers with the extractive reader; tests of the bundled model ask for it. Its
# converted folder is shared by every test (and kept between runs) so it is converted once.
os.environ.setdefault("PLAYGROUND_BACKEND", "extractive")
# The app's background warm-up only loads saved sentence vectors: embedding a corpus's sentences
# behind every AppTest that loads the sample would load the CPU (tests/test_sentence_vectors.py covers it).
os.environ.setdefault("PLAYGROUND_WARM_SENTENCES", "0")
# Local models compute in float32, so answers compare exactly with float32 references (training,
# merged exports); tests/test_cpu_dtype.py covers the bfloat16 path and its measured choice.
os.environ.setdefault("PLAYGROUND_CPU_DTYPE", "float32")
os.environ.setdefault("PLAYGROUND_MODEL_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                                           ".test-artifacts", "models"))  # fmt: skip


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "data"
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(path))
    monkeypatch.delenv("PLAYGROUND_MAX_FILE_MB", raising=False)
    return path


@pytest.fixture()
def store(data_dir):
    from core.store import CorpusStore

    return CorpusStore(data_dir)


@pytest.fixture()
def config():
    from core.config import IngestConfig

    return IngestConfig()
