"""The submitted 半年报告 as a Word document (python-docx): title, who and when, sections, closing."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

from bot.services.plain_text import strip_controls

FONT = "宋体"
HEADING_FONT = "黑体"
SECTION_STYLE = "Heading 1"  # 一、履行主体责任情况 …, 结束语
ITEM_STYLE = "Heading 2"  # 【C01】召开党委会…
LINE_STYLE = "Normal"  # a record, a gap, a self-check answer: whatever it says


@dataclass(frozen=True)
class Entry:
    """One paragraph of a section: an item's heading, or a line under it (text of any shape:
    a record may say 二、… or 【…】 or span lines; it stays one plain paragraph)."""

    text: str
    item: bool = False


@dataclass(frozen=True)
class Section:
    """One numbered part of the report: its heading and its paragraphs, in order."""

    heading: str
    entries: Sequence[Entry]


def build_docx(
    *,
    title: str,
    header: list[tuple[str, str]],
    sections: Sequence[Section],
    closing_title: str,
    closing: str,
) -> bytes:
    """A .docx: the centred title, one line per (label, value) of `header` (单位, 姓名, 职务,
    报告期), each section (its heading in SECTION_STYLE, items' headings in ITEM_STYLE, every
    other paragraph in LINE_STYLE), then the closing paragraphs. The structure comes from
    `sections` only: no text is ever read to decide what is a heading."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _heading_style(document.styles[SECTION_STYLE], HEADING_FONT, 14)
    _heading_style(document.styles[ITEM_STYLE], FONT, 12)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title, bold=True, size=16, font=HEADING_FONT)
    for label, value in header:
        line = document.add_paragraph()
        _run(line, f"{label}：", bold=True)
        _run(line, value)
    for section in sections:
        _run(document.add_paragraph(style=SECTION_STYLE), section.heading)
        for entry in section.entries:
            if entry.item:
                _run(document.add_paragraph(style=ITEM_STYLE), entry.text.strip())
                continue
            paragraph = document.add_paragraph(style=LINE_STYLE)
            paragraph.paragraph_format.left_indent = Pt(24)
            _run(paragraph, entry.text.strip())  # its own line breaks stay inside it
    if closing.strip():
        _run(document.add_paragraph(style=SECTION_STYLE), closing_title)
        for text in closing.splitlines():
            if text.strip():
                paragraph = document.add_paragraph(style=LINE_STYLE)
                paragraph.paragraph_format.first_line_indent = Pt(24)
                _run(paragraph, text.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _heading_style(style: object, font: str, size: int) -> None:
    """A built-in heading style set in black `font` (the template's is a blue Latin face)."""
    assert isinstance(style, ParagraphStyle)
    style.font.name = font
    style.font.size = Pt(size)
    style.font.bold = True
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool | None = None,
    size: int | None = None,
    font: str | None = None,
) -> None:
    """Text added to `paragraph`; bold, size and font only where given (else its style's)."""
    run = paragraph.add_run(strip_controls(text))  # rows stored before input was cleaned too
    if bold is not None:
        run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    if font is not None:
        run.font.name = font
        run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
