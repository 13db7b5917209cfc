"""Builders for test files of every supported format, made in memory."""

from __future__ import annotations

import io


def docx_bytes(title: str, paragraphs: list[str], heading: str = "Scope", table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    document.add_heading(heading, level=2)
    for text in paragraphs:
        document.add_paragraph(text)
    document.add_paragraph("First listed item", style="List Bullet")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(pages: list[str], title: str | None = None, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def scanned_pdf_bytes() -> bytes:
    """A PDF whose only page is a picture (no text layer), like a scan."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("RGB", (400, 200), "white")
    for x in range(40, 360):
        for y in (60, 100, 140):
            image.putpixel((x, y), (0, 0, 0))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


HTML = """<!DOCTYPE html><html><head><title>Remote Work Policy</title>
<style>body { color: red; } .hidden-style-marker {}</style>
<script>var secretScriptMarker = 1; document.write("SCRIPT TEXT");</script></head>
<body><nav><a href="/">Home</a> <a href="/x">NAVLINK</a></nav>
<h1>Remote Work</h1><p>Staff may work remotely two days a week.</p><p>Second paragraph
   with   odd    spacing.</p>
<h2>Equipment</h2><ul><li>Laptop</li><li>Monitor</li></ul>
<noscript>NOSCRIPT TEXT</noscript><footer>Footer line</footer></body></html>"""
