"""The corpus manifest: its JSON form and conversion to typed records.

manifest.json = {"schema", "corpus_id", "name", "created_at", "updated_at",
"revision", "documents": [{"name", "tags", "versions": [record, ...]}]}; the last
version of each document is the current one.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from core.errors import StoreError
from core.types import CorpusInfo, DocumentRecord

SCHEMA = 1


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def new_manifest(corpus_id: str, name: str) -> dict[str, Any]:
    stamp = now_iso()
    return {
        "schema": SCHEMA,
        "corpus_id": corpus_id,
        "name": name,
        "created_at": stamp,
        "updated_at": stamp,
        "revision": 0,
        "documents": [],
    }


def record_to_dict(record: DocumentRecord) -> dict[str, Any]:
    data = asdict(record)
    data["tags"] = list(record.tags)
    return data


def record_from_dict(data: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(**{**data, "tags": tuple(data.get("tags", ()))})


def corpus_from_manifest(manifest: dict[str, Any], where: str) -> CorpusInfo:
    """Typed view of a manifest; raises StoreError naming the file if it is malformed."""
    try:
        if manifest.get("schema") != SCHEMA:
            raise ValueError(f"schema {manifest.get('schema')!r}, expected {SCHEMA}")
        documents = tuple(
            record_from_dict({**entry["versions"][-1], "tags": entry.get("tags", [])})
            for entry in manifest["documents"]
        )
        return CorpusInfo(
            corpus_id=manifest["corpus_id"],
            name=manifest["name"],
            created_at=manifest["created_at"],
            updated_at=manifest["updated_at"],
            revision=int(manifest["revision"]),
            documents=documents,
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise StoreError(
            f"{where} is not a valid corpus manifest ({exc}). "
            "Restore it from a backup or delete that corpus folder."
        ) from exc


def find_entry(manifest: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((e for e in manifest["documents"] if e["name"] == name), None)
