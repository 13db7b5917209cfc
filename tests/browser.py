"""A real Streamlit server and headless Debian chromium, for the browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / ".test-artifacts"
WAIT_MS = 120_000  # every wait is on a condition; this is only the ceiling, sized for a busy 2-core box
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make browser` installs Debian's chromium package.")
        pytest.skip("chromium not installed (run `make browser`)")
    return path


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(command: list[str], health_url: str, log_path: Path, timeout: float = 300, **popen):
    """Start `command`, wait until `health_url` answers 200, yield, then stop it."""
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(health_url, timeout=2).status == 200:
                    break
            if process.poll() is not None:
                pytest.fail(f"{command[0]} exited: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        else:
            pytest.fail(f"{command[0]} did not answer {health_url} within {timeout:g} s")
        yield process
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        process.kill()
        log.close()


@contextlib.contextmanager
def streamlit_server(data_dir: Path):
    port = free_port()
    env = {**os.environ, "PLAYGROUND_DATA_DIR": str(data_dir), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/_stcore/health", data_dir.parent / "streamlit.log", cwd=ROOT, env=env):
        yield url


@contextlib.contextmanager
def browser_page():
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)  # expect() has its own 5 s default otherwise
            yield page
        finally:
            browser.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the current run (its status widget is gone)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=WAIT_MS)


@contextlib.contextmanager
def json_stub(status: int, payload, path: str | None = None):
    """A stand-in HTTP server on 127.0.0.1 answering every GET/POST with `payload` as JSON
    (404 for other paths when `path` is given); yields its base URL. `payload` may be a
    function of the request headers (e.g. to echo what the client sent)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(payload(self.headers) if callable(payload) else payload).encode()
            self.send_response(status if path is None or self.path == path else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
