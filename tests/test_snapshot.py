"""Workshop snapshots round-trip typed results and never carry credentials."""

from __future__ import annotations

import pandas as pd
import pytest

from core.errors import BadInputError
from core.lanes import LaneConfig, LaneResult, run_lanes
from core.qa import QAItem
from core.snapshot import CorpusRef, decode, encode
from tests.test_lanes import context
from tests.test_retrieval import index  # noqa: F401  (module-scoped fixture)

TYPES = {"compare": tuple[str, QAItem | None, list[LaneResult], set[str]], "sweep": "dataframe"}


def test_round_trip_keeps_lane_results_equal(index):  # noqa: F811
    store, idx = index
    results = run_lanes("How many weeks of paid parental leave?", context(idx, store),
                        [LaneConfig("rag"), LaneConfig("long_context"), LaneConfig("fine_tuned")])  # fmt: skip
    item = QAItem("hr-01", "How many weeks?", "sixteen weeks", ("sixteen weeks",), ("leave.md",), "lookup", "test")
    frame = pd.DataFrame({"chunk size": [128, 256], "recall@5": [0.625, 0.693]})
    corpus = CorpusRef.of(store.get(idx.corpus_id))
    data = encode("Demo", corpus, {"cmp_lanes": ["rag", "long_context"], "cmp_top": 5},
                  {"compare": ("q", item, results, {"c1", "c2"}), "sweep": frame}, TYPES)  # fmt: skip
    snap = decode(data, TYPES)
    question, got_item, got, gold = snap.results["compare"]
    assert (question, got_item, got, gold) == ("q", item, results, {"c1", "c2"})
    assert got[0].hits[0].chunk == results[0].hits[0].chunk and got[0].prompt.messages == results[0].prompt.messages
    assert got[2].setup and got[2].answer is None
    pd.testing.assert_frame_equal(snap.results["sweep"], frame)
    assert snap.corpus == corpus and snap.settings == {"cmp_lanes": ["rag", "long_context"], "cmp_top": 5}
    assert snap.title == "Demo" and snap.created_at and snap.skipped == ()


def test_credentials_and_objects_never_reach_the_file():
    typed = "placeholder-credential-4242"
    data = encode("x", None, {"llm_key": typed, "api_token": typed, "my_password": typed, "cmp_pick": object(),
                              "cmp_priced": "gpt-4o-mini"}, {}, {})  # fmt: skip
    assert typed.encode() not in data and b"cmp_pick" not in data and b"gpt-4o-mini" in data
    assert decode(data, {}).settings == {"cmp_priced": "gpt-4o-mini"}


def test_bad_files_say_what_is_wrong():
    with pytest.raises(BadInputError, match="not a snapshot file"):
        decode(b"\x89PNG\x00\xff", TYPES)
    with pytest.raises(BadInputError, match="not a playground snapshot"):
        decode(b'{"hello": 1}', TYPES)
    with pytest.raises(BadInputError, match="newer version"):
        decode(b'{"format": "rag-ft-playground-snapshot", "version": 99}', TYPES)
    with pytest.raises(BadInputError, match="no registered type"):
        encode("x", None, {}, {"mystery": 1}, {})


def test_unreadable_results_are_skipped_not_fatal():
    data = encode("x", None, {}, {"sweep": pd.DataFrame({"a": [1]})}, TYPES)
    snap = decode(data.replace(b'"sweep"', b'"gone"'), TYPES)
    assert snap.results == {} and snap.skipped == ("gone",)
