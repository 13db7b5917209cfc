"""Every kind of bad file gets one clear error naming the file; good files still ingest."""

from __future__ import annotations

import os

import pytest

from core.config import IngestConfig
from core.errors import BadInputError
from core.ingest import parse_file
from core.types import SourceFile
from tests.files import pdf_bytes, scanned_pdf_bytes

CP1252_TEXT = "Fees: \u20ac500 for the caf\u00e9 meeting \u2013 na\u00efve estimate, r\u00e9sum\u00e9 attached.".encode("cp1252")
BAD_CASES = [
    ("empty.txt", b"", "is empty"),
    ("blank.md", b"   \n\n  \t", "no text"),
    ("binary.txt", bytes(range(256)) * 20, "binary data"),
    ("random.md", os.urandom(4096).replace(b"\x00", b"\x01"), "binary data"),
    ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "corrupt"),
    ("scanned.pdf", None, "no extractable text"),
    ("locked.pdf", None, "password-protected"),
    ("broken.docx", b"PK\x03\x04 definitely not a zip", "not a valid .docx"),
    ("legacy.doc", b"\xd0\xcf\x11\xe0 old word", "'.doc' files are not supported"),
    ("archive.zip", b"PK\x03\x04", "not supported"),
    ("README", b"no extension here", "without an extension"),
    ("../../x.md", b"# escape", "folder parts"),
    ("/etc/passwd.md", b"# escape", "folder parts"),
    ("..\\..\\evil.txt", b"escape", "folder parts"),
]


def _data(name: str, data: bytes | None) -> bytes:
    if name == "scanned.pdf":
        return scanned_pdf_bytes()
    if name == "locked.pdf":
        return pdf_bytes(["secret text " * 20], password="hunter2")
    return data


@pytest.mark.parametrize(("name", "data", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_is_rejected_with_a_fix(name, data, expected):
    with pytest.raises(BadInputError) as caught:
        parse_file(SourceFile(name, _data(name, data)), IngestConfig())
    message = str(caught.value)
    assert expected in message
    assert message.startswith(name[:40]) or message.startswith("(unnamed")
    assert "\n" not in message


def test_file_over_the_size_limit():
    config = IngestConfig(max_file_mb=0.001)
    with pytest.raises(BadInputError, match=r"huge.txt: is 0.0 MB, over the 0.001 MB limit.*PLAYGROUND_MAX_FILE_MB"):
        parse_file(SourceFile("huge.txt", b"x " * 2000), config)


def test_size_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_FILE_MB", "2")
    assert IngestConfig.from_env().max_bytes == 2 * 1024 * 1024
    monkeypatch.setenv("PLAYGROUND_MAX_FILE_MB", "lots")
    with pytest.raises(Exception, match="PLAYGROUND_MAX_FILE_MB='lots'"):
        IngestConfig.from_env()


def test_non_utf8_text_is_decoded_with_a_warning():
    doc = parse_file(SourceFile("legacy.txt", CP1252_TEXT), IngestConfig())
    assert "caf\u00e9" in doc.text and "\u20ac500" in doc.text
    assert doc.encoding and doc.encoding.lower().replace("-", "").startswith(("cp1252", "windows1252"))
    assert doc.warnings and "not UTF-8" in doc.warnings[0]


def test_mixed_upload_keeps_good_files_and_reports_each_bad_one(store, config, tmp_path):
    info = store.create("Mixed")
    sources = [SourceFile(name, _data(name, data)) for name, data, _ in BAD_CASES]
    sources += [SourceFile("good.md", b"# Good\n\nA fine document."), SourceFile("legacy.txt", CP1252_TEXT)]
    before = {p for p in tmp_path.parent.rglob("*")}
    report = store.add_files(info.corpus_id, sources, config)
    assert [r.name for r in report.added] == ["good.md", "legacy.txt"]
    assert len(report.errors) == len(BAD_CASES)
    assert [w.name for w in report.warnings] == ["legacy.txt"]
    new_paths = {p for p in tmp_path.parent.rglob("*")} - before
    data_root = store.root.parent
    assert all(data_root in p.parents for p in new_paths), "nothing may be written outside the data folder"
    assert not any(p.name in ("x.md", "evil.txt", "passwd.md") for p in new_paths)
    assert {d.name for d in store.get(info.corpus_id).documents} == {"good.md", "legacy.txt"}
