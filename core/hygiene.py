"""Store hygiene: remove what a crash left behind, and say how much it freed.

A kill -9 mid-ingest can leave content files (docs/, originals/) that no manifest version
references and temporary files of interrupted atomic writes (`.<name>.<hex>.tmp`).
`collect` removes both for one corpus under that corpus's lock (every write into a corpus
folder holds it, so nothing in flight is touched); `collect_all` does every corpus, plus
staging/trash folders and index temporary files older than an hour (index builds take no
corpus lock, so only old ones are safe to remove). The store runs `collect_all` without
waiting for busy locks when it opens; `python -m core gc` waits.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

STALE_SECONDS = 3600


@dataclass(frozen=True)
class Freed:
    files: int = 0
    bytes: int = 0
    skipped: tuple[str, ...] = ()  # corpora whose lock was busy

    def __add__(self, other: Freed) -> Freed:
        return Freed(self.files + other.files, self.bytes + other.bytes, self.skipped + other.skipped)

    @property
    def message(self) -> str:
        text = f"Removed {self.files} leftover file(s), {self.bytes / 1024:,.1f} KiB freed"
        return text + (f"; skipped busy corpora: {', '.join(self.skipped)}" if self.skipped else "") + "."


def _is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _remove(paths) -> Freed:
    files = size = 0
    for path in paths:
        try:
            if path.is_dir():
                size += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
                shutil.rmtree(path)
            else:
                size += path.stat().st_size
                path.unlink()
            files += 1
        except FileNotFoundError:
            continue
    return Freed(files, size)


def orphans(folder: Path, manifest: dict) -> list[Path]:
    """Files in a corpus folder that no manifest version references, and temporary files."""
    keep = {v["doc_id"] for e in manifest["documents"] for v in e["versions"]}
    found = [p for p in folder.glob(".*.tmp") if p.is_file()]
    for sub in ("docs", "originals"):
        for path in (folder / sub).glob("*") if (folder / sub).is_dir() else ():
            if _is_temp(path) or (not path.name.startswith(".") and path.name.split(".")[0] not in keep):
                found.append(path)
    return found


def collect(store, corpus_id: str, wait: bool = True) -> Freed:
    """Remove one corpus's orphans under its lock (or skip it when busy and not `wait`)."""
    lock = store._lock(corpus_id) if wait else store._lock(corpus_id, timeout=0)
    try:
        with lock:
            return _remove(orphans(store._dir(corpus_id), store._read(corpus_id)))
    except Timeout:
        return Freed(skipped=(corpus_id,))


def collect_all(store, wait: bool = True) -> Freed:
    total = Freed()
    for folder in sorted(store.root.iterdir()):
        if not folder.name.startswith(".") and (folder / "manifest.json").is_file():
            total += collect(store, folder.name, wait)
    cutoff = time.time() - STALE_SECONDS
    stale = [f for f in store.root.glob(".t*-*") if f.name.startswith((".tmp-", ".trash-")) and f.stat().st_mtime < cutoff]
    indexes = store.root.parent / "indexes"
    if indexes.is_dir():
        stale += [p for p in indexes.rglob("*") if (_is_temp(p) or p.name.endswith(".tmp") and p.is_dir())
                  and p.stat().st_mtime < cutoff]  # fmt: skip
    return total + _remove(stale)
