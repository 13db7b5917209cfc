"""Measured option effects: every option value scored by the lab's QA scoring, cached on disk."""

from __future__ import annotations

import pytest

from core.option_effects import OPTIONS, cached_effects, measure_effects
from core.qa import QAItem
from core.types import SourceFile
from tests.test_index import DOCS

ITEMS = [
    QAItem("q1", "How much notice to terminate the NDA?", "thirty days",
           ("Either party may terminate this agreement on thirty days written notice.",), ("nda.md",), "lookup", "test"),
    QAItem("q2", "What is the meal per diem?", "$75", ("The domestic meal per diem is $75 per day.",),
           ("expenses.md",), "lookup", "test"),
    QAItem("q3", "How long is parental leave?", "sixteen weeks", ("Parental leave is sixteen weeks paid.",),
           ("leave.md",), "lookup", "train"),
]  # fmt: skip


@pytest.mark.slow
def test_effects_are_measured_once_and_label_every_option(store, config):
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], config)
    assert cached_effects(store, cid, ITEMS) is None
    effects = measure_effects(store, cid, ITEMS)
    assert effects.questions == 3 and 0 <= effects.baseline["recall@5"] <= 1
    for option, values in OPTIONS.items():
        labels = [effects.label(option, v) for v in values]
        assert labels.count("default") == 1, option
        assert all(label == "default" or "recall@5" in label for label in labels)
    delta = effects.delta("mode", "bm25")
    expected = effects.scores["mode=bm25"]["recall@10"] - effects.baseline["recall@10"]
    assert delta["recall@10"] == pytest.approx(expected)
    assert cached_effects(store, cid, ITEMS) == effects  # read back from disk, nothing re-scored
    store.add_files(cid, [SourceFile("extra.md", b"# Extra\n\nA new document changes the corpus version.")], config)
    assert cached_effects(store, cid, ITEMS) is None
