"""JSON, JSON Lines and notebooks (langchain-community loaders) and e-mail (.eml) load,
and bad files of each get one clear line naming the file, like every other format."""

from __future__ import annotations

import json

import pytest

from core.config import IngestConfig
from core.errors import BadInputError
from core.ingest import parse_file
from core.types import SourceFile

NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "source": ["# Churn analysis\n", "Quarterly churn by plan."], "metadata": {}},
    {"cell_type": "code", "source": ["print(41 + 1)"], "metadata": {}, "execution_count": 1,
     "outputs": [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}]},
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip

EMAIL = (b"From: Dana Reyes <dana@harrowvale.example>\r\nTo: Sam Ortiz <sam@northwind.example>\r\n"
         b"Subject: SOW change order 3\r\nDate: Tue, 14 Oct 2025 09:30:00 +0000\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
         b"The change order adds 40 hours at the blended rate.\r\n--b1\r\nContent-Type: application/pdf\r\n"
         b"Content-Disposition: attachment; filename=change-order-3.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         b"JVBERi0=\r\n--b1--\r\n")  # fmt: skip


def parse(name: str, data: bytes):
    return parse_file(SourceFile(name, data), IngestConfig())


def test_json_array_one_record_per_element():
    doc = parse("clients.json", json.dumps([{"client": "Northwind", "fee": 425}, {"client": "Bluefin", "fee": 465}]).encode())
    assert doc.format == "json"
    assert '"client": "Northwind"' in doc.text and '"fee": 465' in doc.text
    assert doc.text.count("\n") >= 1


def test_json_lines_and_a_bom():
    doc = parse("events.jsonl", b'\xef\xbb\xbf{"event": "renewal", "days": 30}\n\n{"event": "notice", "days": 60}\n')
    assert doc.format == "jsonl" and '"days": 30' in doc.text and '"event": "notice"' in doc.text


def test_notebook_cells_and_outputs():
    doc = parse("churn.ipynb", json.dumps(NOTEBOOK).encode())
    assert doc.format == "ipynb" and doc.title == "Churn analysis"
    assert "Quarterly churn by plan." in doc.text and "print(41 + 1)" in doc.text and "42" in doc.text


def test_email_headers_body_and_attachment_names():
    doc = parse("change-order.eml", EMAIL)
    assert doc.format == "eml" and doc.title == "SOW change order 3"
    assert "From: Dana Reyes" in doc.text and "40 hours at the blended rate" in doc.text
    assert "change-order-3.pdf" in doc.text and "JVBERi0" not in doc.text


def test_html_only_email_is_read_as_text():
    raw = (b"From: a@x.example\r\nSubject: Hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><style>p{color:red}</style><p>Notice is <b>thirty</b> days.</p></html>")  # fmt: skip
    doc = parse("hi.eml", raw)
    assert "Notice is" in doc.text and "thirty" in doc.text and "color:red" not in doc.text


BAD = [
    ("broken.json", b'{"client": "Northwind",\n "fee": }', "not valid JSON (Expecting value at line 2"),
    ("empty-array.json", b"[]", "holds no records"),
    ("broken.jsonl", b'{"a": 1}\n{"b": \n', "not valid JSON Lines"),
    ("binary.json", bytes(range(256)) * 20, "binary data"),
    ("not-a-notebook.ipynb", b'{"name": "x"}', 'no "cells" list'),
    ("broken.ipynb", b'{"cells": [', "not a valid notebook"),
    ("empty.ipynb", json.dumps({"cells": []}).encode(), "no text"),
    ("plain.eml", b"just some words, no headers at all", "has no e-mail headers"),
    ("binary.eml", b"\x00\x01\x02" * 100, "binary data"),
    ("empty.eml", b"", "is empty"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_get_one_clear_line(name, data, expected):
    with pytest.raises(BadInputError) as caught:
        parse(name, data)
    message = str(caught.value)
    assert message.startswith(name) and expected in message and "\n" not in message
