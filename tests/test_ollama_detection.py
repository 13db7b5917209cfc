"""A local Ollama server's models are listed; no server means an empty list, quickly."""

from __future__ import annotations

import time

from tests.browser import free_port, json_stub
from ui.backend import ollama_models


def test_lists_models_from_a_stand_in_ollama_api():
    tags = {"models": [{"name": "llama3.2:1b"}, {"name": "qwen2.5:0.5b"}]}
    with json_stub(200, tags, path="/api/tags") as url:
        assert ollama_models(url) == ["llama3.2:1b", "qwen2.5:0.5b"]
    start = time.perf_counter()
    assert ollama_models(f"http://127.0.0.1:{free_port()}") == []
    assert time.perf_counter() - start < 2
