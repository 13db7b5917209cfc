"""Tests that hold on a busy machine: no fixed sleeps in the browser tests and no short
ceilings anywhere in tests/ (AppTest runs of minutes, Playwright waits of a minute or more).
A static check over the test sources, so a new short timeout fails here first."""

from __future__ import annotations

import re
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
APPTEST_MIN_S = 300
PLAYWRIGHT_MIN_MS = 60_000


def _sources():
    return [(p.name, p.read_text("utf-8")) for p in sorted(TESTS.glob("*.py")) if p.name != Path(__file__).name]


def test_no_fixed_waits_and_no_short_ceilings():
    problems = []
    for name, text in _sources():
        problems += [f"{name}: fixed wait_for_timeout" for _ in re.finditer(r"\.wait_for_timeout\(", text)]
        for match in re.finditer(r"default_timeout\s*=\s*(\d+)", text):
            if int(match.group(1)) < APPTEST_MIN_S:
                problems.append(f"{name}: AppTest default_timeout={match.group(1)} s")
        if "AppTest" in text:
            for match in re.finditer(r"^TIMEOUT\s*=\s*(\d+)", text, re.MULTILINE):
                if int(match.group(1)) < APPTEST_MIN_S:
                    problems.append(f"{name}: AppTest TIMEOUT = {match.group(1)} s")
        for match in re.finditer(r"\.(to_\w+|wait_for\w*|set_default_timeout|set_options)\([^)]*?(timeout=)?([\d_]{3,})\)", text):
            if int(match.group(3).replace("_", "")) < PLAYWRIGHT_MIN_MS:
                problems.append(f"{name}: Playwright {match.group(1)} ceiling {match.group(3)} ms")
    assert not problems, problems


def test_the_check_catches_what_it_should(monkeypatch):
    bad = ('page.wait_for_timeout(500)\nAppTest.from_file("a", default_timeout=60)\n'
           "expect(x).to_be_visible(timeout=5000)\n")  # fmt: skip
    monkeypatch.setattr(sys.modules[__name__], "_sources", lambda: [("bad.py", bad)])
    try:
        test_no_fixed_waits_and_no_short_ceilings()
    except AssertionError as exc:
        assert "wait_for_timeout" in str(exc) and "default_timeout=60" in str(exc) and "5000" in str(exc)
    else:
        raise AssertionError("the check passed a file with short waits")
