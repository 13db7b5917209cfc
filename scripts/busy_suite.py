"""Run the test suite with a CPU hog beside it, to prove the tests hold on a busy machine.

    .venv/bin/python scripts/busy_suite.py [--hogs 2] [--timeout SECONDS] [pytest arguments, e.g. -m "not slow" -q]
    .venv/bin/python scripts/busy_suite.py --hogs 2 --command "bash .ci/run"   # any command, e.g. CI in a clean clone

Starts `--hogs` busy Python loops (separate processes, one core each), runs pytest with the
remaining arguments (or `--command` through the shell, in the current folder), then stops the
loops whatever happened, and prints the load average seen and the exit status (which it returns).
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
    hogs, limit, command = 2, None, None
    while argv[:1] in (["--hogs"], ["--timeout"], ["--command"]):
        if argv[0] == "--hogs":
            hogs = int(argv[1])
        elif argv[0] == "--command":
            command = argv[1]
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
        argv = command if command else [sys.executable, "-m", "pytest", *argv]  # a command runs through the shell
        tests = subprocess.Popen(argv, shell=bool(command), cwd=None if command else ROOT, start_new_session=True)
        try:
            code = tests.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(tests.pid, signal.SIGTERM)
            code = tests.wait(timeout=60)
            print(f"{'the command' if command else 'pytest'} stopped at the {limit:g} s limit", flush=True)
    finally:
        if tests is not None and tests.poll() is None:  # killed ourselves: take the tests down too
            os.killpg(tests.pid, signal.SIGTERM)
        load = os.getloadavg()
        for loop in loops:
            loop.terminate()
        for loop in loops:
            loop.join(timeout=10)
    print(f"busy loops stopped after {time.time() - started:.0f} s; load average at the end {load}; "
          f"{'command' if command else 'pytest'} exit {code}")  # fmt: skip
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
