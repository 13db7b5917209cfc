"""Workshop snapshots: a session's corpus reference, settings and results in one JSON file.

Loading a snapshot puts the saved results back, so every page shows them without
re-running anything and without a network. Typed results (LaneResult, EvalRun, ...) are
encoded with pydantic's TypeAdapter, which reads and writes frozen dataclasses; pandas
tables are stored in their "split" form. Settings hold plain values only, and any key
that looks like a credential is dropped before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from core.errors import BadInputError
from core.secrets import scrub

FORMAT = "rag-ft-playground-snapshot"
VERSION = 1
_SECRET = re.compile(r"key|token|secret|password|credential|auth", re.IGNORECASE)
_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class CorpusRef:
    """Which corpus the results came from; the corpus itself is not copied."""

    corpus_id: str
    name: str
    fingerprint: str
    revision: int
    documents: int

    @classmethod
    def of(cls, info) -> CorpusRef:
        return cls(info.corpus_id, info.name, info.fingerprint, info.revision, len(info.documents))


@dataclass(frozen=True)
class Snapshot:
    title: str
    created_at: str
    corpus: CorpusRef | None
    settings: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)  # decoded objects, by session key
    skipped: tuple[str, ...] = ()  # result keys in the file this version cannot read


def plain_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The JSON-plain values among `values`, without anything that looks like a credential."""
    kept = {}
    for key, value in values.items():
        if _SECRET.search(str(key)):
            continue
        if isinstance(value, _PLAIN) or (isinstance(value, (list, tuple)) and all(isinstance(v, _PLAIN) for v in value)):
            kept[str(key)] = list(value) if isinstance(value, tuple) else value
    return dict(sorted(kept.items()))


def encode(title: str, corpus: CorpusRef | None, settings: dict[str, Any], results: dict[str, Any],
           types: dict[str, Any]) -> bytes:  # fmt: skip
    """The snapshot file. `types[key]` is the type of `results[key]` (e.g. tuple[str, list[LaneResult]])."""
    from pydantic import TypeAdapter

    encoded = {}
    for key, value in results.items():
        kind = types.get(key)
        if kind is None:
            raise BadInputError("snapshot", f"result {key!r} has no registered type; register it before saving.")
        encoded[key] = _dump_frame(value) if kind == "dataframe" else TypeAdapter(kind).dump_python(value, mode="json")
    body = {"format": FORMAT, "version": VERSION, "title": title,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "corpus": None if corpus is None else corpus.__dict__, "settings": plain_settings(settings),
            "results": encoded}  # fmt: skip
    return scrub(json.dumps(body, indent=1, default=str)).encode("utf-8")  # keys echoed in results are masked


def decode(data: bytes, types: dict[str, Any]) -> Snapshot:
    """Read a snapshot file; errors say what is wrong with it. Unknown result keys are skipped."""
    from pydantic import TypeAdapter, ValidationError

    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError("snapshot", f"not a snapshot file ({exc.__class__.__name__}); choose a .json file "
                            "saved with 'Save snapshot'.") from exc  # fmt: skip
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise BadInputError("snapshot", "this JSON file is not a playground snapshot (no 'format' marker).")
    if body.get("version", 0) > VERSION:
        raise BadInputError("snapshot", f"saved by a newer version (format {body['version']}); update the app.")
    results, skipped = {}, []
    for key, value in (body.get("results") or {}).items():
        kind = types.get(key)
        try:
            if kind is None:
                raise KeyError(key)
            results[key] = _load_frame(value) if kind == "dataframe" else TypeAdapter(kind).validate_python(value)
        except (KeyError, ValueError, TypeError, ValidationError):
            skipped.append(key)
    corpus = body.get("corpus")
    return Snapshot(str(body.get("title", "")), str(body.get("created_at", "")),
                    CorpusRef(**corpus) if corpus else None, plain_settings(body.get("settings") or {}),
                    results, tuple(skipped))  # fmt: skip


def _dump_frame(frame) -> dict:
    return json.loads(frame.to_json(orient="split", index=False))


def _load_frame(value: dict):
    import pandas as pd

    return pd.DataFrame(value["data"], columns=value["columns"])
