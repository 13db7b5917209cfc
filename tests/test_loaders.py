"""Ingestion of every supported format, text normalisation and document ids."""

from __future__ import annotations

import pytest

from core.config import IngestConfig
from core.ingest import parse_file
from core.text import normalize_text
from core.types import SourceFile
from tests.files import HTML, docx_bytes, pdf_bytes

CONFIG = IngestConfig()


def parse(name: str, data: bytes):
    return parse_file(SourceFile(name, data), CONFIG)


def test_plain_text_title_and_whitespace():
    doc = parse("notes.txt", b"Leave Policy\r\n\r\n\r\n\r\nStaff   get\t25 days.  \n")
    assert doc.format == "txt"
    assert doc.title == "Leave Policy"
    assert doc.text == "Leave Policy\n\nStaff get 25 days."
    assert doc.encoding == "utf-8"
    assert doc.pages == () and doc.page_count is None


def test_markdown_keeps_headings_and_takes_title():
    doc = parse("policy.md", "# Expenses Policy\n\n## Meals\n\nThe per diem is $75 \u2014 see below.\n".encode())
    assert doc.title == "Expenses Policy"
    assert "## Meals" in doc.text
    assert "\u2014" in doc.text


def test_pdf_pages_and_offsets():
    data = pdf_bytes(["Page one says the notice period is 30 days.", "Page two covers fees of $400."],
                     title="Sample Agreement")  # fmt: skip
    doc = parse("agreement.pdf", data)
    assert doc.format == "pdf"
    assert doc.title == "Sample Agreement"
    assert doc.page_count == 2
    first, second = doc.pages
    assert "notice period is 30 days" in doc.text[first.start : first.end]
    assert "fees of $400" in doc.text[second.start : second.end]
    assert doc.page_at(second.start + 3) == 2
    assert doc.page_at(first.start) == 1


def test_docx_headings_lists_tables():
    data = docx_bytes("Engagement Letter", ["Fees are billed monthly.", "Second paragraph."],
                      table=[["Role", "Rate"], ["Partner", "$1,150"]])  # fmt: skip
    doc = parse("letter.docx", data)
    assert doc.format == "docx"
    assert doc.title == "Engagement Letter"
    assert doc.text.startswith("# Engagement Letter\n\n## Scope")
    assert "Fees are billed monthly." in doc.text
    assert "- First listed item" in doc.text
    assert "Partner | $1,150" in doc.text


def test_html_drops_scripts_styles_nav_and_keeps_structure():
    doc = parse("remote.html", HTML.encode())
    assert doc.format == "html"
    assert doc.title == "Remote Work Policy"
    for hidden in ("secretScriptMarker", "SCRIPT TEXT", "hidden-style-marker", "NOSCRIPT", "NAVLINK"):
        assert hidden not in doc.text
    assert "# Remote Work" in doc.text and "## Equipment" in doc.text
    assert "Second paragraph with odd spacing." in doc.text
    assert "- Laptop" in doc.text and "- Monitor" in doc.text
    assert "Staff may work remotely two days a week." in doc.text


def test_csv_rows_become_lines():
    doc = parse("rates.csv", b"role;rate;office\nPartner;1150;Boston\nAssociate;425;\n")
    assert doc.format == "csv"
    assert doc.text.splitlines() == ["role: Partner; rate: 1150; office: Boston", "role: Associate; rate: 425"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Caf\u00e9 r\u00e9sum\u00e9 na\u00efve fa\u00e7ade \u00e0 la carte".encode("utf-8-sig"), "utf-8-sig"),
        ("Caf\u00e9 r\u00e9sum\u00e9 na\u00efve fa\u00e7ade".encode("utf-16"), "utf-16"),
    ],
)
def test_byte_order_marks(data, encoding):
    doc = parse("bom.txt", data)
    assert doc.encoding == encoding
    assert doc.text.startswith("Caf\u00e9 r\u00e9sum\u00e9")


def test_same_bytes_same_id_and_different_bytes_different_id():
    a = parse("a.txt", b"The notice period is 30 days.")
    b = parse("b.txt", b"The notice period is 30 days.")
    c = parse("a.txt", b"The notice period is 60 days.")
    assert a.doc_id == b.doc_id != c.doc_id
    assert len(a.doc_id) == 16


def test_normalize_text_strips_invisible_and_control_characters():
    assert normalize_text("a\u200bb\u00a0c\x07d\n\n\n\ne") == "ab cd\n\ne"


def test_titles_from_letterheads_and_memo_subject_lines():
    assert parse("policy.txt", b"HARROW & VALE LLP\n\nEXPENSES POLICY\n\nBody text.").title == (
        "HARROW & VALE LLP - EXPENSES POLICY"
    )
    memo = parse("memo.md", b"# MEMORANDUM\n\nTO: Partners\n\nRE: Liability cap for data breaches\n\nBody.")
    assert memo.title == "Memorandum: Liability cap for data breaches"
