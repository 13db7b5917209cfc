"""Keys never reach a file: compare, evaluate, exports and a snapshot against a stand-in
server on 127.0.0.1 that echoes the key in its 401 error; then every file under the data
folder and every export is read back and the key must appear nowhere."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest

from core.secrets import MASK, register, scrub, scrub_value
from core.types import SourceFile
from tests.browser import json_stub


@contextlib.contextmanager
def echoing_server():
    """Answers every request 401 with the presented key in the error message (no 'Bearer')."""

    def error(headers) -> dict:
        key = (headers.get("Authorization") or "").removeprefix("Bearer ")
        return {"error": {"message": f"Incorrect API key provided: {key}. Find your key at ...",
                          "type": "invalid_request_error", "code": "invalid_api_key"}}  # fmt: skip

    with json_stub(401, error) as url:
        yield url + "/v1"


def _files_text(folder) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
def test_env_and_typed_keys_never_reach_a_file(data_dir, store, config, monkeypatch, capsys, tmp_path):
    from core import cli, snapshot
    from core.evaluation.store import RunStore
    from core.generation import LiteLLMGenerator, LLMConfig
    from core.lanes import LaneResult
    from core.report import run_to_html, run_to_json

    env_key = "k3y" + uuid.uuid4().hex  # no known key shape: only its value identifies it
    typed_key = "typed" + uuid.uuid4().hex
    monkeypatch.setenv("OPENAI_API_KEY", env_key)
    cid = store.create("Keys").corpus_id
    store.add_files(cid, [SourceFile("travel.md", b"# Travel\n\nThe meal per diem for domestic travel is 75 dollars a day.")],
                    config)  # fmt: skip
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "q1", "question": "What is the meal per diem?", "answer": "75 dollars",
                              "evidence": ["75 dollars a day"], "sources": ["travel.md"], "type": "lookup",
                              "split": "test"}) + "\n")  # fmt: skip
    with echoing_server() as base:
        common = ["--corpus", "Keys", "--model", "openai/stand-in", "--api-base", base, "--json"]
        code = cli.run(["compare", "--question", "What is the meal per diem?", "--lanes", "rag,closed_book", *common])
        compared = capsys.readouterr()
        cli.run(["evaluate", "--qa", str(qa), "--split", "all", "--lanes", "rag", "--save", *common])
        evaluated = capsys.readouterr()
        typed = LiteLLMGenerator(LLMConfig(model="openai/stand-in", api_base=base, max_retries=0), api_key=typed_key)
        with pytest.raises(Exception) as failure:
            typed.generate([{"role": "user", "content": "hi"}])
    lanes = json.loads(compared.out)["lanes"]
    assert code == 1 and "every lane failed" in compared.err  # all lanes failed: non-zero exit
    assert all(MASK in lane["error"] and "rejected" in lane["error"] for lane in lanes)  # the server echoed a key
    results = [LaneResult(**{k: v for k, v in lane.items() if k in ("kind", "label", "error")}) for lane in lanes]
    results.append(LaneResult("rag", "RAG", error=f"{failure.value} raw {typed_key} and {env_key}"))  # unscrubbed
    run = RunStore(data_dir / "runs").load(json.loads(evaluated.out)["run_id"])
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "compare.json").write_text(run_to_json("q", results, {"key used": env_key}))
    (exports / "compare.html").write_text(run_to_html("q", results, {"note": typed_key}))
    (exports / "run.json").write_text(run.to_json())
    (exports / "run.csv").write_text(run.to_csv())
    (exports / "snapshot.json").write_bytes(snapshot.encode("t", None, {"model note": typed_key}, {"compare": ("q", results)},
                                                            {"compare": tuple[str, list[LaneResult]]}))  # fmt: skip
    written = _files_text(data_dir) + _files_text(exports) + compared.out + compared.err + evaluated.out + evaluated.err
    assert "Incorrect API key" in written and "travel.md" in written  # the files really were read back
    assert env_key not in written and typed_key not in written
    assert typed_key not in str(failure.value)


def test_key_shapes_and_known_values_are_masked(monkeypatch):
    plain, registered = "plainvalue" + "123456", "registered-key-" + "0001"  # assembled: no key-like literal
    monkeypatch.setenv("ANTHROPIC_API_KEY", plain)
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false-but-long-enough")
    register(registered)
    filler = "ABCDEFGHIJKLMNOPQRSTUV"  # key shapes are assembled here so no key-like literal sits in the tree
    shaped = {"sk-proj-": filler, "AKIA": filler[:16], "hf_": filler + "abcdefghij", "ghp_": filler + "0123456789abcd"}
    bearer = "Bearer " + ".".join(("abc", "def-ghi_jkl"))
    text = (f"auth {'sk-proj-' + shaped['sk-proj-']} then Authorization: {bearer} and "
            + " ".join(prefix + rest for prefix, rest in shaped.items() if prefix != "sk-proj-")
            + f" {plain} {registered} false-but-long-enough")  # fmt: skip
    clean = scrub(text)
    for secret in ("sk-proj-ABC", "abc.def-ghi", "AKIAABC", "hf_ABC", "ghp_ABC", "plainvalue", "registered-key"):
        assert secret not in clean
    assert "Bearer ***" in clean and "false-but-long-enough" in clean  # not a credential variable
    assert scrub_value({"a": ["sk-" + "x" * 20, 3], "b": ("ok",)}) == {"a": [MASK, 3], "b": ("ok",)}
