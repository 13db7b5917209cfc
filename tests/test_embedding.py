"""The bundled all-MiniLM-L6-v2 model loads offline; unknown models fail with a fix."""

from __future__ import annotations

import numpy as np
import pytest

from core.embedding import SentenceTransformerEmbedder
from core.errors import ConfigError


def test_default_model_embeds_offline_normalised():
    embedder = SentenceTransformerEmbedder()
    seen = []
    vectors = embedder.embed(
        ["The notice period is 30 days.", "Either party may terminate on thirty days' notice.", "Cats like warm rooms."],
        progress=lambda fraction, message: seen.append(fraction),
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert seen[-1] == 1.0
    assert embedder.embed([]).shape == (0, 384)


def test_unknown_model_says_it_is_offline_and_what_to_do(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="could not be loaded.*local path"):
        SentenceTransformerEmbedder("no-such-org/no-such-model-xyz").embed(["hello"])
