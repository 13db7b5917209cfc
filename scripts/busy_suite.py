"""Run the test suite with a CPU hog beside it, to prove the tests hold on a busy machine.

    .venv/bin/python scripts/busy_suite.py [--hogs 2] [--timeout SECONDS] [pytest arguments, e.g. -m "not slow" -q]

Starts `--hogs` busy Python loops (separate processes, one core each), runs pytest with the
remaining arguments, then stops the loops whatever happened, and prints the load average
seen and pytest's exit status (which it returns).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _spin() -> None:
    while True:
        sum(i * i for i in range(10_000))


def main(argv: list[str]) -> int:
    hogs, limit = 2, None
    while argv[:1] in (["--hogs"], ["--timeout"]):
        if argv[0] == "--hogs":
            hogs = int(argv[1])
        else:
            limit = float(argv[1])
        argv = argv[2:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the loops when killed
    loops = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(hogs)]
    for loop in loops:
        loop.start()
    started, tests = time.time(), None
    try:
        print(f"{hogs} busy loops started (pids {[p.pid for p in loops]}); load average {os.getloadavg()}", flush=True)
        tests = subprocess.Popen([sys.executable, "-m", "pytest", *argv], cwd=ROOT)
        try:
            code = tests.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            tests.terminate()
            code = tests.wait(timeout=60)
            print(f"pytest stopped at the {limit:g} s limit", flush=True)
    finally:
        if tests is not None and tests.poll() is None:  # killed ourselves: take pytest down too
            tests.terminate()
        load = os.getloadavg()
        for loop in loops:
            loop.terminate()
        for loop in loops:
            loop.join(timeout=10)
    print(f"busy loops stopped after {time.time() - started:.0f} s; load average at the end {load}; pytest exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
