"""The workshop journey a new user takes, in headless Chromium, with screenshots to look at:
prepare the sample and the bundled model as `make run` does, train the workshop preset in the
Fine-tuning lab, then run all six Compare lanes with the bundled model and the new adapter.

    .venv/bin/python scripts/workshop_journey.py [--data-dir DIR] [--out DIR] [--question-id fin-13]

Prints how long each step took (wall-clock on this machine as it is now, with the load average).
Not part of the test suite: it trains for minutes. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def step(name: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{name:<58} {now - started:7.1f} s   (load {os.getloadavg()[0]:.1f})", flush=True)
    return now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    parser.add_argument("--out", type=Path, default=ROOT / ".test-artifacts" / "journey")
    parser.add_argument("--question-id", default="fin-13")
    parser.add_argument("--skip-training", action="store_true", help="use the newest adapter already in the data folder")
    args = parser.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="journey-")) / "data"
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("PLAYGROUND_BACKEND", "PLAYGROUND_CPU_DTYPE"):  # the user's defaults, not the test suite's
        os.environ.pop(name, None)
    os.environ["PLAYGROUND_DATA_DIR"] = str(data)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "core", "load-sample"], cwd=ROOT, check=True)
    mark = step("load-sample (index + bundled model, as make run does)", started)


    from playwright.sync_api import expect

    from core.qa import load_qa
    from core.sample import SAMPLE_DIR
    from tests.browser import browser_page, settle, streamlit_server

    question = next(i for i in load_qa(SAMPLE_DIR / "qa.jsonl") if i.id == args.question_id).question
    with streamlit_server(data) as url, browser_page() as page:
        mark = step("server up", mark)
        if not args.skip_training:
            page.goto(f"{url}/finetune")
            page.get_by_role("button", name="Train the workshop adapter").click()
            page.get_by_text(re.compile(r"Held-out loss [\d.]+ → [\d.]+")).first.wait_for(timeout=1_800_000)
            mark = step("workshop preset trained (Fine-tuning lab)", mark)
            settle(page)
            page.screenshot(path=str(args.out / "finetune-preset.png"), full_page=True)

        page.goto(f"{url}/compare")
        page.get_by_role("heading", name="Compare approaches").wait_for()
        page.get_by_label("Question", exact=True).fill(question)
        page.get_by_role("button", name="Run the lanes").click()
        page.get_by_text("· streaming").first.wait_for(timeout=600_000)
        page.screenshot(path=str(args.out / "compare-streaming.png"))
        expect(page.get_by_text("· streaming")).to_have_count(0, timeout=1_800_000)
        settle(page)
        mark = step("Compare: six lanes, bundled model + the new adapter", mark)
        page.screenshot(path=str(args.out / "compare-settings.png"))
        for n, lane in enumerate(("Closed book", "Long context")):  # the 3 x 2 grid: each shot holds a row of lanes
            page.get_by_role("heading", name=lane, exact=True).first.scroll_into_view_if_needed()
            page.screenshot(path=str(args.out / f"compare-lanes-{n + 1}.png"))
        errors = page.get_by_test_id("stException").count()
        print(f"exceptions on the page: {errors}; screenshots in {args.out}")


if __name__ == "__main__":
    main()
