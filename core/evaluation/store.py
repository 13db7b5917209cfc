"""Saved evaluation runs: one JSON file per run under a folder (the app uses
<data dir>/runs), written atomically (core.fsutil), listed newest first."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import BadInputError, StoreError
from core.evaluation.records import EvalRun
from core.fsutil import atomic_write_bytes, fsync_dir
from core.secrets import scrub

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    created_at: str
    corpus_id: str
    corpus_revision: int | None
    lanes: tuple[str, ...]
    questions: int
    records: int
    stopped: bool


class RunStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def save(self, run: EvalRun) -> Path:
        path = self._path(run.run_id)
        try:
            atomic_write_bytes(path, scrub(run.to_json()).encode("utf-8"))  # no key reaches the file
        except OSError as exc:
            raise StoreError(f"Cannot save run {run.run_id} in {self.root} ({exc.strerror}). "
                             "Check that the data folder is writable and has space.") from exc  # fmt: skip
        return path

    def list(self) -> list[RunInfo]:
        """Saved runs, newest first; unreadable files are skipped."""
        infos = []
        for path in self.root.glob("*.json") if self.root.is_dir() else []:
            try:
                data = json.loads(path.read_text("utf-8"))
                infos.append(RunInfo(data["run_id"], data["created_at"], data["corpus_id"], data.get("corpus_revision"),
                                     tuple(data["lanes"]), len({r["item_id"] for r in data["records"]}),
                                     len(data["records"]), bool(data.get("stopped"))))  # fmt: skip
            except (OSError, json.JSONDecodeError, KeyError, TypeError):
                continue
        return sorted(infos, key=lambda i: (i.created_at, i.run_id), reverse=True)

    def load(self, run_id: str) -> EvalRun:
        path = self._path(run_id)
        if not path.is_file():
            raise BadInputError(run_id, f"no saved run with this id in {self.root}; list the saved runs to pick one.")
        return EvalRun.from_json(path.read_text("utf-8"), run_id)

    def delete(self, run_id: str) -> None:
        path = self._path(run_id)
        if not path.is_file():
            raise BadInputError(run_id, f"no saved run with this id in {self.root}; nothing was deleted.")
        path.unlink()
        fsync_dir(self.root)

    def _path(self, run_id: str) -> Path:
        if not _RUN_ID.match(run_id or ""):
            raise BadInputError(repr(run_id), "is not a run id: use letters, digits, '-', '_' and '.' only.")
        return self.root / f"{run_id}.json"
