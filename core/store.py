"""Corpora on disk under `<data dir>/corpora/<corpus_id>/`.

Layout: manifest.json (the only file that says what the corpus holds),
docs/<doc_id>.json (extracted text and pages) and originals/<doc_id><ext> (the
uploaded bytes). Content files are written first and the manifest last, each by
atomic rename, under a per-corpus file lock: a crash mid-upload leaves the previous
manifest in force and at worst some unreferenced content files, which core.hygiene
removes when the store next opens (or on `python -m core gc`). Content and manifest are
written under the same lock, so a delete or a gc never removes files a manifest is about
to list; creating a corpus by name holds a store-wide lock. New corpora are built in a
`.tmp-*` folder and renamed into place; deleted ones are renamed to `.trash-*` before
removal. Listing ignores dot-folders.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from pathlib import Path, PurePath
from typing import Any, Callable, Iterable

from filelock import FileLock

from core import hygiene
from core import manifest as mf
from core.config import IngestConfig
from core.errors import BadInputError, CorpusNotFoundError, StoreError
from core.fsutil import atomic_write_bytes, atomic_write_json, fsync_dir
from core.ingest import parse_file
from core.tokens import count_tokens
from core.types import (
    CorpusInfo, Document, DocumentRecord, IngestIssue, IngestReport, Page, SourceFile, content_id,
)  # fmt: skip

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


class CorpusStore:
    """Create, list, rename and delete corpora; add, version, read and delete documents."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "corpora"
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / ".locks").mkdir(exist_ok=True)
        self._sweep()

    # ----- corpora -------------------------------------------------------------
    def list_corpora(self) -> list[CorpusInfo]:
        corpora = []
        for folder in sorted(self.root.iterdir()):
            if folder.name.startswith(".") or not (folder / "manifest.json").is_file():
                continue
            try:
                corpora.append(self._info(folder.name))
            except StoreError as exc:
                log.warning("skipping corpus: %s", exc)
        return corpora

    def create(self, name: str, corpus_id: str | None = None) -> CorpusInfo:
        with self._lock("_create"):  # the name check and the creation are one step for every process
            name = self._check_name(name)
            corpus_id = corpus_id or self._free_id(name)
            if (self.root / corpus_id).exists():
                raise StoreError(f"A corpus with id '{corpus_id}' exists; pick another name.")
            staging = self.root / f".tmp-{uuid.uuid4().hex[:8]}"
            staging.mkdir()
            atomic_write_json(staging / "manifest.json", mf.new_manifest(corpus_id, name))
            staging.rename(self.root / corpus_id)
            fsync_dir(self.root)
        return self.get(corpus_id)

    def ensure(self, ref: str) -> CorpusInfo:
        """The corpus with this id or name, created (by that name) if there is none: two
        callers asking at once get the same corpus."""
        with self._lock("_create"):
            try:
                return self.resolve(ref)
            except CorpusNotFoundError:
                pass
        try:
            return self.create(ref)
        except BadInputError:  # created by another caller between the two locks
            return self.resolve(ref)

    def get(self, corpus_id: str) -> CorpusInfo:
        if not (self._dir(corpus_id) / "manifest.json").is_file():
            raise CorpusNotFoundError(
                f"No corpus '{corpus_id}'. Pick one of: {self._names()} or create it first."
            )
        return self._info(corpus_id)

    def resolve(self, ref: str) -> CorpusInfo:
        """A corpus by id or by name (case-insensitive)."""
        for info in self.list_corpora():
            if ref == info.corpus_id or ref.lower() == info.name.lower():
                return info
        raise CorpusNotFoundError(f"No corpus named '{ref}'. Known corpora: {self._names()}.")

    def rename(self, corpus_id: str, new_name: str) -> CorpusInfo:
        with self._lock("_create"), self._lock(corpus_id):
            new_name = self._check_name(new_name, exclude=corpus_id)
            manifest = self._read(corpus_id)
            manifest["name"] = new_name
            self._write(corpus_id, manifest, bump=False)
        return self.get(corpus_id)

    def delete(self, corpus_id: str) -> None:
        self.get(corpus_id)
        with self._lock(corpus_id):
            trash = self.root / f".trash-{corpus_id}-{uuid.uuid4().hex[:8]}"
            (self.root / corpus_id).rename(trash)
            fsync_dir(self.root)
        shutil.rmtree(trash, ignore_errors=True)

    # ----- documents -----------------------------------------------------------
    def add_files(
        self,
        corpus_id: str,
        sources: Iterable[SourceFile],
        config: IngestConfig,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Parse and store files; a file with a known name becomes its next version.

        Bad files are reported in the result and do not stop the others.
        """
        current = {e["name"]: e["versions"][-1]["doc_id"] for e in self._read(corpus_id)["documents"]}
        sources = list(sources)
        parsed: list[tuple[Document, bytes, int]] = []
        issues: list[IngestIssue] = []
        same: list[str] = []
        for index, source in enumerate(sources):
            if progress:
                progress(index / max(len(sources), 1), f"Reading {source.name}")
            if current.get(source.name) == content_id(source.data):
                same.append(source.name)  # stored already: skip parsing and token counting
                continue
            try:
                doc = parse_file(source, config)
            except BadInputError as exc:
                issues.append(IngestIssue(name=exc.name, message=str(exc)))
                continue
            issues.extend(IngestIssue(doc.name, w, "warning") for w in doc.warnings)
            parsed.append((doc, source.data, count_tokens(doc.text, config.token_model)))
        if progress:
            progress(1.0, "Saving")
        added, unchanged = self._commit(corpus_id, parsed, config.token_model)
        return IngestReport(added=tuple(added), unchanged=tuple(same + unchanged), issues=tuple(issues))

    def delete_document(self, corpus_id: str, name: str) -> None:
        with self._lock(corpus_id):
            manifest = self._read(corpus_id)
            if mf.find_entry(manifest, name) is None:
                raise CorpusNotFoundError(f"No document '{name}' in corpus '{corpus_id}'.")
            manifest["documents"] = [e for e in manifest["documents"] if e["name"] != name]
            self._write(corpus_id, manifest)
            self._drop_unreferenced(corpus_id, manifest)

    def set_tags(self, corpus_id: str, name: str, tags: Iterable[str]) -> None:
        """Access tags of a document (all its versions); empty = visible to every viewer."""
        clean = sorted({t.strip().lower() for t in tags if t and t.strip()})
        with self._lock(corpus_id):
            manifest = self._read(corpus_id)
            entry = mf.find_entry(manifest, name)
            if entry is None:
                raise CorpusNotFoundError(f"No document '{name}' in corpus '{corpus_id}'.")
            entry["tags"] = clean
            self._write(corpus_id, manifest, bump=False)

    def history(self, corpus_id: str, name: str) -> tuple[DocumentRecord, ...]:
        entry = self._entry(corpus_id, name)
        return tuple(mf.record_from_dict({**v, "tags": entry.get("tags", [])}) for v in entry["versions"])

    def record(self, corpus_id: str, name: str, version: int | None = None) -> DocumentRecord:
        versions = self.history(corpus_id, name)
        if version is None:
            return versions[-1]
        match = next((r for r in versions if r.version == version), None)
        if match is None:
            known = ", ".join(str(r.version) for r in versions)
            raise CorpusNotFoundError(f"'{name}' has no version {version}; it has {known}.")
        return match

    def load_document(self, corpus_id: str, name: str, version: int | None = None) -> Document:
        record = self.record(corpus_id, name, version)
        stored = json.loads((self._dir(corpus_id) / "docs" / f"{record.doc_id}.json").read_text("utf-8"))
        return Document(
            doc_id=record.doc_id,
            name=record.name,
            title=record.title,
            format=record.format,
            text=stored["text"],
            size_bytes=record.size_bytes,
            pages=tuple(Page(**p) for p in stored["pages"]),
            encoding=record.encoding,
        )

    def load_documents(self, corpus_id: str) -> list[Document]:
        return [self.load_document(corpus_id, d.name) for d in self.get(corpus_id).documents]

    def original_bytes(self, corpus_id: str, name: str, version: int | None = None) -> bytes:
        record = self.record(corpus_id, name, version)
        return (self._dir(corpus_id) / "originals" / f"{record.doc_id}{PurePath(name).suffix.lower()}").read_bytes()

    # ----- internals -----------------------------------------------------------
    def _commit(self, corpus_id, parsed, token_model) -> tuple[list[DocumentRecord], list[str]]:
        folder = self._dir(corpus_id)
        added: list[DocumentRecord] = []
        unchanged: list[str] = []
        with self._lock(corpus_id):  # content and manifest together: a delete or gc never sees one half
            manifest = self._read(corpus_id)
            for doc, data, _ in parsed:
                self._write_content(folder, doc, data)
            for doc, _, tokens in parsed:
                entry = mf.find_entry(manifest, doc.name)
                if entry and entry["versions"][-1]["doc_id"] == doc.doc_id:
                    unchanged.append(doc.name)
                    continue
                if entry is None:
                    entry = {"name": doc.name, "tags": [], "versions": []}
                    manifest["documents"].append(entry)
                record = _record(doc, len(entry["versions"]) + 1, tokens, token_model)
                entry["versions"].append(mf.record_to_dict(record))
                added.append(record)
            if added:
                self._write(corpus_id, manifest)
        return added, unchanged

    @staticmethod
    def _write_content(folder: Path, doc: Document, data: bytes) -> None:
        text_path = folder / "docs" / f"{doc.doc_id}.json"
        if not text_path.exists():
            pages = [{"number": p.number, "start": p.start, "end": p.end} for p in doc.pages]
            atomic_write_json(text_path, {"text": doc.text, "pages": pages})
        original = folder / "originals" / f"{doc.doc_id}{PurePath(doc.name).suffix.lower()}"
        if not original.exists():
            atomic_write_bytes(original, data)

    def _drop_unreferenced(self, corpus_id: str, manifest: dict[str, Any]) -> None:
        for path in hygiene.orphans(self._dir(corpus_id), manifest):
            path.unlink(missing_ok=True)

    def collect_garbage(self, wait: bool = True) -> hygiene.Freed:
        """Remove content and temporary files no manifest references (see core.hygiene)."""
        return hygiene.collect_all(self, wait)

    def _entry(self, corpus_id: str, name: str) -> dict[str, Any]:
        entry = mf.find_entry(self._read(corpus_id), name)
        if entry is None:
            raise CorpusNotFoundError(f"No document '{name}' in corpus '{corpus_id}'.")
        return entry

    def _info(self, corpus_id: str) -> CorpusInfo:
        return mf.corpus_from_manifest(self._read(corpus_id), str(self._dir(corpus_id) / "manifest.json"))

    def _read(self, corpus_id: str) -> dict[str, Any]:
        path = self._dir(corpus_id) / "manifest.json"
        try:
            return json.loads(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise CorpusNotFoundError(f"No corpus '{corpus_id}'. Known corpora: {self._names()}.") from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path} cannot be read ({exc}). Restore it or delete that folder.") from exc

    def _write(self, corpus_id: str, manifest: dict[str, Any], bump: bool = True) -> None:
        manifest["updated_at"] = mf.now_iso()
        manifest["revision"] += 1 if bump else 0
        atomic_write_json(self._dir(corpus_id) / "manifest.json", manifest)

    def _dir(self, corpus_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", corpus_id):
            raise CorpusNotFoundError(f"'{corpus_id}' is not a corpus id (lowercase letters, digits, '-').")
        return self.root / corpus_id

    def _lock(self, key: str, timeout: float = 60) -> FileLock:
        return FileLock(str(self.root / ".locks" / f"{key}.lock"), timeout=timeout)

    def _names(self) -> str:
        return ", ".join(f"'{c.corpus_id}'" for c in self.list_corpora()) or "(none yet)"

    def _check_name(self, name: str, exclude: str | None = None) -> str:
        name = " ".join((name or "").split())
        if not name or len(name) > 80:
            raise BadInputError("corpus name", "must be 1 to 80 characters, e.g. 'Client contracts'.")
        if any(c.name.lower() == name.lower() and c.corpus_id != exclude for c in self.list_corpora()):
            raise BadInputError(name, "a corpus with this name exists already; choose another name.")
        return name

    def _free_id(self, name: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "corpus"
        candidate, n = base, 2
        while (self.root / candidate).exists():
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _sweep(self) -> None:
        """On opening: remove what a crash left (orphan content, temporary files, old staging
        folders), skipping corpora another process is writing; `self.freed` says how much."""
        self.freed = hygiene.collect_all(self, wait=False)
        if self.freed.files:
            log.warning("data folder %s: %s", self.root.parent, self.freed.message)


def _record(doc: Document, version: int, tokens: int, token_model: str) -> DocumentRecord:
    return DocumentRecord(
        name=doc.name,
        version=version,
        doc_id=doc.doc_id,
        title=doc.title,
        format=doc.format,
        size_bytes=doc.size_bytes,
        pages=doc.page_count,
        words=doc.word_count,
        tokens=tokens,
        token_model=token_model,
        added_at=mf.now_iso(),
        encoding=doc.encoding,
    )
