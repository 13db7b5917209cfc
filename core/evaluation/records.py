"""One evaluation run as typed, frozen records: one QuestionRecord per (question, lane, phase).

phase "main" scores the corpus as it is; "before_update" / "after_update" score the
freshness items on the original and the updated corpus (core.evaluation.freshness).
Runs round-trip through JSON (`to_json` / `from_json`) and export one CSV row per record.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from core.errors import BadInputError
from core.secrets import scrub

PHASES = ("main", "before_update", "after_update")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class QuestionRecord:
    """How one lane did on one question. None means "not applicable" (a lane that does not
    retrieve has no recall; a lane that was not configured, `setup`, has no scores)."""

    item_id: str
    type: str
    split: str
    question: str
    gold: str
    lane: str
    label: str
    phase: str = "main"
    answer: str = ""
    abstained: bool | None = None
    correct: bool | None = None
    reason: str = ""
    em: float | None = None
    f1: float | None = None
    semantic: float | None = None
    grounded: float | None = None
    evidence_found: bool | None = None
    k: int | None = None
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    ndcg_at_10: float | None = None
    retrieved: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    dollars: float | None = None
    latency_ms: float | None = None
    error: str | None = None
    setup: str | None = None
    judge_score: int | None = None
    judge_reason: str | None = None
    judge_dollars: float | None = None
    judge_tokens: int | None = None
    flagged_passages: int = 0  # passages given to the model that the injection detector flagged

    @property
    def ran(self) -> bool:
        """The lane produced an answer (no setup message, no error)."""
        return self.setup is None and self.error is None


@dataclass(frozen=True)
class EvalRun:
    run_id: str
    created_at: str
    corpus_id: str
    corpus_fingerprint: str
    corpus_revision: int | None
    settings: dict[str, Any]
    lanes: tuple[str, ...]  # lane kinds, in column order
    records: tuple[QuestionRecord, ...]
    stopped: bool = False  # stopped early by the caller: records cover only the questions reached

    def records_for(self, lane: str, phase: str = "main") -> list[QuestionRecord]:
        return [r for r in self.records if r.lane == lane and r.phase == phase]

    def with_records(self, records) -> EvalRun:
        """A copy with `records` appended (e.g. the freshness phases)."""
        return replace(self, records=self.records + tuple(records))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = FORMAT_VERSION
        return data

    def to_json(self) -> str:
        return scrub(json.dumps(self.to_dict(), indent=1, ensure_ascii=False, default=str))  # exports hold no key

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalRun:
        known = {f.name for f in fields(QuestionRecord)}
        records = tuple(QuestionRecord(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items() if k in known})
                        for r in data["records"])  # fmt: skip
        return cls(run_id=data["run_id"], created_at=data["created_at"], corpus_id=data["corpus_id"],
                   corpus_fingerprint=data["corpus_fingerprint"], corpus_revision=data.get("corpus_revision"),
                   settings=dict(data.get("settings") or {}), lanes=tuple(data["lanes"]), records=records,
                   stopped=bool(data.get("stopped", False)))  # fmt: skip

    @classmethod
    def from_json(cls, text: str, name: str = "run") -> EvalRun:
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadInputError(name, f"is not a saved evaluation run ({type(exc).__name__}: {exc}). "
                                "Export runs with EvalRun.to_json.") from exc  # fmt: skip

    def to_csv(self) -> str:
        """One row per record; tuples joined with spaces."""
        names = [f.name for f in fields(QuestionRecord)]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["run_id", *names])
        for record in self.records:
            row = [getattr(record, n) for n in names]
            writer.writerow([self.run_id, *(" ".join(v) if isinstance(v, tuple) else "" if v is None else v for v in row)])
        return scrub(out.getvalue())


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
