"""`python -m core`: headless ingestion and listing, JSON output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from core.cli import run
from core.settings import PROJECT_ROOT


def test_ingest_folder_creates_corpus_and_reports_bad_files(data_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("# A\n\nAlpha text.")
    (folder / "sub" / "b.txt").write_text("Beta text.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ignored.exe").write_bytes(b"MZ")
    assert run(["ingest", str(folder), "--corpus", "Headless", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["corpus"] == "headless"
    assert sorted(r["name"] for r in out["added"]) == ["a.md", "b.txt"]
    assert [i["name"] for i in out["issues"]] == ["empty.txt"]
    assert run(["docs", "Headless", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert run(["corpora", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["documents"] == 2


def test_errors_exit_2_with_one_line(data_dir):
    result = subprocess.run(
        [sys.executable, "-m", "core", "docs", "missing"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: No corpus named 'missing'")
