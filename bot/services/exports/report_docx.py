"""The submitted 半年报告 as a Word document (python-docx): title, who and when, body, closing."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from bot.services.plain_text import strip_controls

FONT = "宋体"
HEADING_FONT = "黑体"
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")


def build_docx(
    *,
    title: str,
    header: list[tuple[str, str]],
    body: str,
    closing_title: str,
    closing: str,
) -> bytes:
    """A .docx: the centred title, one line per (label, value) of `header` (单位, 姓名, 职务,
    报告期), the body (lines like "一、…" become headings), then the closing paragraph."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title, bold=True, size=16, font=HEADING_FONT)
    for label, value in header:
        line = document.add_paragraph()
        _run(line, f"{label}：", bold=True)
        _run(line, value)
    for text in body.splitlines():
        if not text.strip():
            continue
        paragraph = document.add_paragraph()
        if _SECTION.match(text):
            _run(paragraph, text, bold=True, size=14, font=HEADING_FONT)
        elif text.startswith("【"):
            _run(paragraph, text, bold=True)
        else:
            paragraph.paragraph_format.left_indent = Pt(24)
            _run(paragraph, text.strip())
    if closing.strip():
        _run(document.add_paragraph(), closing_title, bold=True, size=14, font=HEADING_FONT)
        for text in closing.splitlines():
            if text.strip():
                paragraph = document.add_paragraph()
                paragraph.paragraph_format.first_line_indent = Pt(24)
                _run(paragraph, text.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _run(
    paragraph: Paragraph, text: str, *, bold: bool = False, size: int = 12, font: str = FONT
) -> None:
    run = paragraph.add_run(strip_controls(text))  # rows stored before input was cleaned too
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
