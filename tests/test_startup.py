"""The first render imports no torch, transformers or peft (they load when a lane needs them)."""

from __future__ import annotations

import json
import subprocess
import sys

from core.settings import PROJECT_ROOT

SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=300).run()
assert not at.exception, at.exception
print(json.dumps(sorted(m for m in ("torch", "transformers", "peft", "sentence_transformers", "chromadb", "litellm") if m in sys.modules)))
"""


def test_first_render_stays_light(data_dir):
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert heavy == [], f"imported at first render: {heavy}"
