"""The 3+1 ranking as an .xlsx (through exports.sheets): one row per unit, frozen header, fitted widths."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.services.calendar.periods import QUARTER_NAMES
from bot.services.exports.sheets import new_workbook, save, write_row, xlsx_text
from bot.services.oversight.ranking import Ranked

QUARTER_HEADER = (
    *("类别", "类别内排名", "单位编码", "单位名称", "得分"),
    *("完成率", "及时率", "到期事项", "已记实", "按时记实"),
)
YEAR_HEADER = (
    *("类别", "类别内排名", "单位编码", "单位名称", "年度得分"),
    *(*QUARTER_NAMES[:3], "年终考核结果", "年终考核分"),
)
PERCENT = ("完成率", "及时率")  # fractions shown as 95%


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _book(title: str, header: Sequence[str], rows: list[list[object]]) -> bytes:
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = xlsx_text(title)[:31]
    write_row(sheet, 1, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    percent = [index for index, name in enumerate(header, start=1) if name in PERCENT]
    for number, row in enumerate(rows, start=2):
        write_row(sheet, number, row)
        for index in percent:
            sheet.cell(row=number, column=index).number_format = "0%"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        values = [name, *(row[index - 1] for row in rows)]
        width = max(_width(value) for value in values)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    return save(book)


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def quarter_workbook(label: str, lines: list[Ranked]) -> bytes:
    """A quarter's ranking: counts, rates (fractions shown as 95%) and the score."""
    rows: list[list[object]] = []
    for line in lines:
        p = line.progress
        rows.append(
            [
                line.category.value,
                line.rank,
                line.code,
                line.name,
                _round(line.score),
                _round(p.completion, 4) if p else None,
                _round(p.timeliness, 4) if p else None,
                p.total if p else None,
                p.done if p else None,
                p.timely if p else None,
            ]
        )
    return _book(label, QUARTER_HEADER, rows)


def year_workbook(label: str, lines: list[Ranked]) -> bytes:
    """The year's ranking: Q1–Q3 scores, the assessment, the year score."""
    rows: list[list[object]] = []
    for line in lines:
        quarters = list(line.quarters) + [None] * (3 - len(line.quarters))
        rows.append(
            [
                line.category.value,
                line.rank,
                line.code,
                line.name,
                _round(line.score),
                *(_round(q) for q in quarters[:3]),
                line.assessment or None,
                _round(line.assessment_score),
            ]
        )
    return _book(label, YEAR_HEADER, rows)
