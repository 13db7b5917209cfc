"""A local Ollama server's models are listed; no server means an empty list, quickly."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from tests.browser import free_port
from ui.backend import ollama_models


def test_lists_models_from_a_stand_in_ollama_api():
    class Tags(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps({"models": [{"name": "llama3.2:1b"}, {"name": "qwen2.5:0.5b"}]}).encode()
            self.send_response(200 if self.path == "/api/tags" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Tags)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert ollama_models(f"http://127.0.0.1:{server.server_port}") == ["llama3.2:1b", "qwen2.5:0.5b"]
    finally:
        server.shutdown()
    start = time.perf_counter()
    assert ollama_models(f"http://127.0.0.1:{free_port()}") == []
    assert time.perf_counter() - start < 2
