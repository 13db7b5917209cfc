"""Trained adapters and hosted fine-tuned model ids, on disk under `<data dir>/adapters/`.

Layout: `<root>/<adapter_id>/record.json` describes one adapter; a local adapter's peft
files and tokenizer sit in the same folder (`new_adapter_dir` makes it before training).
Records are written by atomic rename under a file lock; a corrupt record is skipped with a
logged warning. `merge_and_export` folds a LoRA or IA3 adapter into a standalone model
folder; `staleness` says when the corpus changed after the adapter learned it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock

from core.errors import BackendError, ConfigError, StoreError
from core.fsutil import atomic_write_json, fsync_dir
from core.types import CorpusInfo

log = logging.getLogger(__name__)
RECORD = "record.json"


@dataclass(frozen=True)
class AdapterRecord:
    """One adapter. `path` is the adapter folder (local); `model_id` the id to call (hosted).
    `metrics` holds losses, eval losses and, later, QA accuracy."""

    adapter_id: str
    name: str
    kind: Literal["local", "hosted"]
    base_model: str
    method: str
    config: dict = field(default_factory=dict)
    dataset_hash: str | None = None
    dataset_size: int = 0
    corpus_id: str | None = None
    corpus_fingerprint: str | None = None
    corpus_revision: int | None = None
    metrics: dict = field(default_factory=dict)
    trained_at: str = ""
    seconds: float | None = None
    path: str | None = None
    model_id: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("local", "hosted"):
            raise ConfigError(f"adapter kind {self.kind!r} is not 'local' or 'hosted'.")
        if self.kind == "local" and not self.path:
            raise ConfigError(f"local adapter {self.adapter_id!r} has no path; give the folder it was saved to.")
        if self.kind == "hosted" and not self.model_id:
            raise ConfigError(f"hosted adapter {self.adapter_id!r} has no model_id, e.g. 'openai/ft:gpt-4o-mini:...'.")

    @classmethod
    def from_dict(cls, data: dict) -> AdapterRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def dataset_hash(convs) -> str:
    """Content hash of a training set (16 hex digits): equal hashes mean the same conversations."""
    return hashlib.sha256(json.dumps(list(convs), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def local_record(result, config, name: str, convs, corpus: CorpusInfo | None = None) -> AdapterRecord:
    """The record of a finished `train_adapter` run (`result`: TrainResult, `config`: TrainConfig)."""
    metrics = {"losses": [list(p) for p in result.losses], "eval_loss_before": result.eval_loss_before,
               "eval_loss_after": result.eval_loss_after, "steps": result.steps, "total_steps": result.total_steps,
               "stopped": result.stopped, "device": result.device, "trainable_params": result.trainable_params,
               "total_params": result.total_params, "train_tokens": result.train_tokens}  # fmt: skip
    return AdapterRecord(
        adapter_id=Path(result.adapter_dir).name, name=name, kind="local", base_model=config.base_model,
        method=config.method, config=config.as_dict(), dataset_hash=dataset_hash(convs), dataset_size=len(convs),
        corpus_id=corpus.corpus_id if corpus else None, corpus_fingerprint=corpus.fingerprint if corpus else None,
        corpus_revision=corpus.revision if corpus else None, metrics=metrics, trained_at=now_iso(),
        seconds=result.seconds, path=str(result.adapter_dir),
    )  # fmt: skip


def staleness(record: AdapterRecord, corpus: CorpusInfo) -> str | None:
    """A sentence saying the corpus changed since the adapter learned it, or None if it did not."""
    if record.corpus_id is None or record.corpus_fingerprint is None:
        return None
    if record.corpus_id != corpus.corpus_id:
        return (f"Adapter '{record.name}' was trained on corpus '{record.corpus_id}', not on '{corpus.name}': "
                "it has not learned these documents.")  # fmt: skip
    if record.corpus_fingerprint == corpus.fingerprint:
        return None
    return (f"Adapter '{record.name}' learned corpus '{corpus.name}' at revision {record.corpus_revision} "
            f"(fingerprint {record.corpus_fingerprint}); the corpus has changed since (now revision {corpus.revision}, "
            f"fingerprint {corpus.fingerprint}), so the adapter still answers from the old text. Retrain it, or use "
            "RAG, which reads the new text at once.")  # fmt: skip


def _slug(text: str, default: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or default


class AdapterRegistry:
    """Add, list, read, update and delete adapter records; export merged models."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Adapter folder {str(self.root)!r} cannot be created ({exc.strerror}); "
                             "point PLAYGROUND_DATA_DIR at a writable folder.") from exc  # fmt: skip
        self._lock = FileLock(str(self.root / ".registry.lock"))

    def new_adapter_dir(self, name: str) -> Path:
        """A fresh, empty folder to train into; its name becomes the adapter id."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        folder = self.root / f"{_slug(name, 'adapter')}-{stamp}-{uuid.uuid4().hex[:6]}"
        folder.mkdir(parents=True)
        return folder

    def add(self, record: AdapterRecord) -> AdapterRecord:
        if record.kind == "local" and not (Path(record.path) / "adapter_config.json").is_file():
            raise StoreError(f"No adapter files in {record.path!r} (adapter_config.json missing); train it first.")
        if not record.adapter_id or record.adapter_id.startswith(".") or "/" in record.adapter_id:
            raise ConfigError(f"adapter_id {record.adapter_id!r} must be a plain folder name.")
        with self._lock:
            atomic_write_json(self.root / record.adapter_id / RECORD, asdict(record))
        return record

    def list(self) -> list[AdapterRecord]:
        """Every readable record, newest first; unreadable ones are skipped with a warning."""
        records = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not (folder / RECORD).is_file():
                continue
            try:
                records.append(self._read(folder.name))
            except (StoreError, ConfigError) as exc:
                log.warning("skipping adapter: %s", exc)
        return sorted(records, key=lambda r: (r.trained_at, r.adapter_id), reverse=True)

    def get(self, adapter_id: str) -> AdapterRecord:
        if not adapter_id or adapter_id.startswith(".") or not (self.root / adapter_id / RECORD).is_file():
            known = ", ".join(r.adapter_id for r in self.list()) or "none yet"
            raise StoreError(f"No adapter '{adapter_id}' in the registry; pick one of: {known}, or train one.")
        return self._read(adapter_id)

    def delete(self, adapter_id: str) -> None:
        """Remove the record and its folder (the adapter weights of a local adapter)."""
        record = self.get(adapter_id)
        with self._lock:
            trash = self.root / f".trash-{uuid.uuid4().hex[:8]}"
            (self.root / adapter_id).rename(trash)
            fsync_dir(self.root)
            shutil.rmtree(trash, ignore_errors=True)
        if record.path and Path(record.path).exists() and self.root.resolve() in Path(record.path).resolve().parents:
            shutil.rmtree(record.path, ignore_errors=True)

    def update_metrics(self, adapter_id: str, metrics: dict) -> AdapterRecord:
        """Merge `metrics` (e.g. {"qa_accuracy": 0.7}) into the record's metrics."""
        with self._lock:
            record = self.get(adapter_id)
            updated = AdapterRecord.from_dict({**asdict(record), "metrics": {**record.metrics, **metrics}})
            atomic_write_json(self.root / adapter_id / RECORD, asdict(updated))
        return updated

    def register_hosted(self, model_id: str, base_model: str, corpus_info: CorpusInfo | None = None,
                        note: str = "") -> AdapterRecord:  # fmt: skip
        """Record a provider's fine-tuned model, e.g. 'openai/ft:gpt-4o-mini-2024-07-18:org::abc123'."""
        model_id = (model_id or "").strip()
        if not model_id or any(c.isspace() for c in model_id):
            raise ConfigError(f"hosted model id {model_id!r} must be the provider's fine-tuned model id with a "
                              "provider prefix, e.g. 'openai/ft:gpt-4o-mini-2024-07-18:org::abc123'.")  # fmt: skip
        digest = hashlib.sha256(model_id.encode()).hexdigest()[:8]
        record = AdapterRecord(
            adapter_id=f"hosted-{_slug(model_id.split('/')[-1], 'model')}-{digest}", name=model_id, kind="hosted",
            base_model=base_model, method="hosted", corpus_id=corpus_info.corpus_id if corpus_info else None,
            corpus_fingerprint=corpus_info.fingerprint if corpus_info else None,
            corpus_revision=corpus_info.revision if corpus_info else None, trained_at=now_iso(), model_id=model_id,
            note=note,
        )  # fmt: skip
        return self.add(record)

    def merge_and_export(self, adapter_id: str, dest: Path | str) -> Path:
        """Fold a LoRA/IA3 adapter into its base model and save a standalone model + tokenizer folder."""
        record = self.get(adapter_id)
        if record.kind == "hosted":
            raise ConfigError(f"'{record.name}' is a hosted model: its weights stay with the provider, so it "
                              "cannot be exported. Call it by its model id instead.")  # fmt: skip
        if record.method not in ("lora", "ia3"):
            raise ConfigError(f"'{record.name}' uses {record.method}: it learned virtual input tokens, not weight "
                              "changes, so there is nothing to merge. Load it as base model + adapter instead.")  # fmt: skip
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            raise ConfigError(f"Export folder {str(dest)!r} is not empty; choose a new or empty folder.")
        from peft import PeftModel
        from transformers import AutoTokenizer

        from core.finetune.train import load_base

        _, base = load_base(record.base_model)
        try:
            merged = PeftModel.from_pretrained(base, record.path).merge_and_unload()
        except (OSError, ValueError, RuntimeError) as exc:
            raise BackendError(f"Adapter {record.path!r} could not be merged into {record.base_model!r}: {exc}. "
                               "Check the folder holds the adapter trained for this base model.") from exc  # fmt: skip
        merged.save_pretrained(dest)
        AutoTokenizer.from_pretrained(record.path).save_pretrained(dest)
        return dest

    def _read(self, adapter_id: str) -> AdapterRecord:
        path = self.root / adapter_id / RECORD
        try:
            return AdapterRecord.from_dict(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise StoreError(f"Adapter record {str(path)!r} is unreadable ({exc}); delete that folder or "
                             "restore it from a backup.") from exc  # fmt: skip
