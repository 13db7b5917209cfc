"""The labelled QA set: one JSON object per line (sample_docs/qa.jsonl).

Keys: id, question, answer, evidence (verbatim quotes), sources (file names), type,
split; freshness items add answer_after_update and evidence_after_update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from core.errors import BadInputError

QuestionType = Literal["lookup", "multi_hop", "summary", "out_of_corpus", "freshness"]
Split = Literal["train", "test"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answer: str
    evidence: tuple[str, ...]
    sources: tuple[str, ...]
    type: QuestionType
    split: Split
    answer_after_update: str | None = None
    evidence_after_update: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type != "out_of_corpus"


def load_qa(path: Path) -> tuple[QAItem, ...]:
    """Read and validate a QA file; errors name the line and the fix."""
    items: list[QAItem] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{Path(path).name} line {number}"
        try:
            row = json.loads(line)
            item = _item(row)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise BadInputError(where, f"{exc}. Each line must be a JSON object with id, question, "
                                "answer, evidence, sources, type, split.") from exc  # fmt: skip
        if item.id in seen:
            raise BadInputError(where, f"duplicate id '{item.id}'; ids must be unique.")
        seen.add(item.id)
        items.append(item)
    return tuple(items)


def _item(row: dict) -> QAItem:
    if row["type"] not in QUESTION_TYPES:
        raise ValueError(f"type {row['type']!r} is not one of {', '.join(QUESTION_TYPES)}")
    if row["split"] not in ("train", "test"):
        raise ValueError(f"split {row['split']!r} is not 'train' or 'test'")
    if row["type"] == "freshness" and not row.get("evidence_after_update"):
        raise ValueError("a freshness item needs answer_after_update and evidence_after_update")
    return QAItem(
        id=str(row["id"]),
        question=str(row["question"]),
        answer=str(row["answer"]),
        evidence=tuple(row["evidence"]),
        sources=tuple(row["sources"]),
        type=row["type"],
        split=row["split"],
        answer_after_update=row.get("answer_after_update"),
        evidence_after_update=tuple(row.get("evidence_after_update", ())),
    )
