"""Build the .docx and .pdf files of sample_docs/ from their Markdown sources.

    .venv/bin/python scripts/build_sample_docs.py

Sources live in sample_docs_src/ (outside the corpus, so they are not ingested twice)
and use only headings, paragraphs, "- " bullets and "1. " numbered items. Run it after
editing a source; the outputs are committed so users need neither python-docx nor
fpdf2 to get the sample corpus. Output bytes are made deterministic where the
libraries allow (fixed creation dates).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC, OUT = ROOT / "sample_docs_src", ROOT / "sample_docs"
TARGETS = {
    "master_services_agreement": "docx",
    "engagement_letter": "docx",
    "billing_guidelines": "docx",
    "memo_change_of_control": "docx",
    "memo_nda_residuals_clause": "docx",
    "saas_subscription_agreement": "pdf",
    "employee_handbook": "pdf",
    "memo_saas_price_increase": "pdf",
}
FIXED_DATE = dt.datetime(2025, 10, 1, 9, 0, 0, tzinfo=dt.timezone.utc)


def blocks(markdown: str) -> list[tuple[str, int, str]]:
    """(kind, level, text) for each non-empty line: heading, bullet, numbered, para."""
    out = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line:
            continue
        if m := re.match(r"(#{1,6})\s+(.*)", line):
            out.append(("heading", len(m.group(1)), m.group(2)))
        elif line.startswith("- "):
            out.append(("bullet", 0, line[2:]))
        elif re.match(r"\d+\.\s", line):
            out.append(("numbered", 0, line))
        else:
            out.append(("para", 0, line))
    return out


def to_docx(parts: list[tuple[str, int, str]], title: str, target: Path) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    props = document.core_properties
    props.title, props.author = title, "Harrow & Vale LLP (fictional sample)"
    props.created = props.modified = props.last_printed = FIXED_DATE
    for kind, level, text in parts:
        if kind == "heading":
            document.add_heading(text, level=min(level, 9))
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        else:
            paragraph = document.add_paragraph(text)
            if kind == "numbered":
                paragraph.paragraph_format.left_indent = Pt(18)
    document.save(target)


def to_pdf(parts: list[tuple[str, int, str]], title: str, target: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.set_title(title)
    pdf.set_author("Harrow & Vale LLP (fictional sample)")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    sizes = {1: 16, 2: 13, 3: 11.5}
    for kind, level, text in parts:
        if kind == "heading":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", sizes.get(level, 11))
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            continue
        pdf.set_font("Helvetica", "", 10.5)
        indent = 6 if kind in ("bullet", "numbered") else 0
        pdf.set_x(pdf.l_margin + indent)
        body = f"- {text}" if kind == "bullet" else text
        pdf.multi_cell(pdf.epw - indent, 5.2, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(target))


def build(source: Path) -> Path:
    relative = source.relative_to(SRC).with_suffix("")
    fmt = TARGETS[relative.name]
    target = OUT / relative.with_suffix(f".{fmt}")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text("utf-8")
    parts = blocks(text)
    title = next((t for k, _, t in parts if k == "heading"), relative.name)
    (to_docx if fmt == "docx" else to_pdf)(parts, title, target)
    return target


def main() -> int:
    sources = sorted(p for p in SRC.rglob("*.md") if p.stem in TARGETS)
    for source in sources:
        print(f"{source.relative_to(ROOT)} -> {build(source).relative_to(ROOT)}")
    return 0 if sources else 1


if __name__ == "__main__":
    sys.exit(main())
