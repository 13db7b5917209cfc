"""Compare runs export as JSON and self-contained HTML; the CLI prints the same results."""

from __future__ import annotations

import json

from core.cli import run
from core.config import IngestConfig
from core.lanes import LaneConfig, run_lanes
from core.report import run_to_html, run_to_json
from core.store import CorpusStore
from core.types import SourceFile
from tests.test_index import DOCS
from tests.test_lanes import context
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)


def test_json_and_html_exports(index):  # noqa: F811
    store, idx = index
    results = run_lanes("How many weeks of paid parental leave?", context(idx, store),
                        [LaneConfig("rag"), LaneConfig("fine_tuned")])  # fmt: skip
    data = json.loads(run_to_json("How many weeks of paid parental leave?", results, {"priced_as": "gpt-4o-mini"}))
    rag, tuned = data["lanes"]
    assert rag["answer"]["text"].startswith("Parental leave is sixteen weeks paid.")
    assert rag["prompt"]["messages"][0]["role"] == "system" and rag["hits"][0]["text"]
    assert rag["tokens"]["prompt_total"] > rag["tokens"]["context"] > 0 and rag["cost"]["source"].startswith("litellm")
    assert tuned["setup"].startswith("No fine-tuned model")
    page = run_to_html("How many <b>weeks</b>?", results, {"priced_as": "gpt-4o-mini"})
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page.split("<body>")[1]
    assert "How many &lt;b&gt;weeks&lt;/b&gt;?" in page and "sixteen weeks" in page


def test_cli_compare_prints_lane_results(data_dir, capsys):
    store = CorpusStore(data_dir)
    cid = store.create("Tiny").corpus_id
    store.add_files(cid, [SourceFile(n, t.encode()) for n, t in DOCS.items()], IngestConfig())
    assert run(["compare", "--corpus", "Tiny", "--question", "What is the meal per diem?", "--lanes", "rag,closed_book", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [lane["kind"] for lane in data["lanes"]] == ["rag", "closed_book"]
    assert "$75" in data["lanes"][0]["answer"]["text"] and data["settings"]["answered_by"] == "extractive reader (no LLM)"
