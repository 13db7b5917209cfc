"""Press everything: every page of the app on the sample corpus, every button and toggle
pressed once (the chunk-size sweep too), failing on any exception element.

Expensive actions are made small first (one sweep size that reuses the pre-built index,
one scoring configuration, two evaluation questions on one lane), so the whole pass
stays at a few minutes on a busy 2-core machine. A page gets a fresh copy of the
pre-built sample data folder, so a destructive button (delete) cannot hide a later bug.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import with_sample

TIMEOUT = 600  # per script run: an index load plus six lanes on a loaded 2-core box

PAGES = ["home", "corpus", "chunking", "retrieval", "finetune", "compare", "evaluate", "decide"]
# Made small before pressing (session-state keys of the pages' widgets).
SMALL = {
    "retrieval": {"rx_sweep_sizes": [256], "rx_score_configs": ["hybrid (RRF)"]},
    "evaluate": {"ev_limit": 2, "ev_lanes": ["rag"], "ev_fresh": False},
}
# Not pressed, and why: each starts minutes of work that its own tests cover.
SKIP = {
    "rx_measure": "re-embeds the corpus for every option (tests/test_retrieval*.py measure options)",
    "ft_start": "trains a model (tests/test_ft_train.py)",
    "ft_retrain": "trains a model (tests/test_ft_train.py)",
    "ft_measure": "measures training throughput (tests/test_ft_train.py)",
    "ft_eval": "evaluates a trained adapter (tests/test_ft_train.py)",
    "ft_preset_go": "trains a model (tests/test_ft_train.py)",
}
DESTRUCTIVE = ("delete", "remove")  # pressed last on the page
# The action each page exists for: the pass fails if it was not reached and pressed.
MUST_PRESS = {"retrieval": "Run sweep", "compare": "cmp_fresh_go", "evaluate": "Run the evaluation",
              "decide": "Recommend", "corpus": "Ingest files"}  # fmt: skip


def ident(widget) -> str:
    return widget.key or f"{widget.type}:{widget.label}"


def pressable(at: AppTest, done: set[str]) -> list:
    widgets = [*at.button, *at.toggle, *at.checkbox]
    todo = [w for w in widgets if not w.disabled and ident(w) not in done and not any(s in ident(w) for s in SKIP)]
    return sorted(todo, key=lambda w: (any(d in w.label.lower() for d in DESTRUCTIVE), w.type != "button"))


def press(widget) -> None:
    if widget.type == "button":
        widget.click()
    else:
        widget.set_value(not widget.value)


def exceptions(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_press_everything(page, data_dir):
    with_sample(data_dir)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    if page != "home":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not exceptions(at), (page, "first render", exceptions(at))
    for key, value in SMALL.get(page, {}).items():
        at.session_state[key] = value
    done: set[str] = set()
    for _ in range(60):  # pressing can reveal new controls (reveal buttons, confirmations)
        todo = pressable(at, done)
        if not todo:
            break
        widget = todo[0]
        done.add(ident(widget))
        press(widget)
        at.run()
        assert not exceptions(at), (page, ident(widget), exceptions(at))
    expected = MUST_PRESS.get(page)
    assert expected is None or any(expected in d for d in done), f"{page}: {expected!r} was never pressed ({done})"
