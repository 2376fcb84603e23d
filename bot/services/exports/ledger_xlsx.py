"""The unit's 台账 as an XLSX workbook: 高台's 四单 and the full 履责记实 ledger, print-ready.

Pure and synchronous (run it in a thread): every sheet has a frozen, bold header row repeated
on each printed page, set column widths, landscape pages fitted to the paper's width. Cells are
written through exports.sheets (text stays text, no formulas, no characters XLSX cannot hold).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.calendar.periods import QUARTER_NAMES, key_name, period_name
from bot.services.exports.sheets import header_text, new_workbook, put, save
from bot.services.exports.year import LedgerRecord, UnitYear
from bot.services.ledger.counting import DueRow, DueState, tally
from bot.services.ledger.span import CheckAnswer

Cell = str | int | float | None

SHEETS = (
    "年度工作任务清单",
    "季度工作进展清单",
    "半年检查情况清单",
    "年终考核结果清单",
    "履责记实台账",
)
COLUMNS: dict[str, list[tuple[str, int]]] = {
    "年度工作任务清单": [("事项编码", 10), ("清单类型", 8), ("责任类型", 10), ("责任内容", 40),
                         ("工作措施", 40), ("序时进度", 16), ("完成时限", 11), ("频次", 8),
                         ("牵头领导", 10), ("责任人", 24)],
    "季度工作进展清单": [("季度", 10), ("责任人", 12), ("事项编码", 10), ("责任内容", 40),
                         ("期次", 16), ("截止日期", 11), ("完成情况", 10), ("完成日期", 11),
                         ("自查结果", 10), ("自查说明", 30), ("关闭原因", 20)],
    "半年检查情况清单": [("半年", 8), ("责任人", 12), ("应完成", 8), ("已完成", 8),
                         ("未完成", 8), ("已关闭", 8), ("未完成事项", 30), ("半年报告", 22)],
    "年终考核结果清单": [("年度", 8), ("单位编码", 10), ("单位名称", 20), ("类别", 16),
                         ("考核结果", 10), ("得分", 8), ("导入时间", 17)],
    "履责记实台账": [("记实编号", 9), ("人员", 10), ("事项编码", 10), ("期次", 16),
                     ("日期", 11), ("内容", 44), ("附件", 8), ("更正/撤销", 24),
                     ("逾期说明", 24), ("记录时间", 17)],
}  # fmt: skip
WRAP = {
    "责任内容",
    "工作措施",
    "责任人",
    "自查说明",
    "关闭原因",
    "未完成事项",
    "内容",
    "更正/撤销",
    "逾期说明",
}
STATE_WORDS = {
    DueState.DONE: "已完成",
    DueState.CLOSED: "已关闭",
    DueState.OVERDUE: "逾期未完成",
    DueState.OPEN: "未到期",
}
CHECK_WORDS = {"done": "已完成", "progress": "推进中", "none": "未开展"}
FILE_WORDS = {"photo": "有（照片）", "document": "有（文件）"}
_HEAD, _WRAP, _TOP = "台账表头", "台账正文换行", "台账正文"


def _styles(book: Workbook) -> None:
    """Named styles, registered once per workbook: a cell then takes one by name (styling
    every cell with Font/Border objects hashes them each time: seconds for a year's ledger)."""
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = NamedStyle(name=_HEAD, font=Font(bold=True), border=border)
    head.fill = PatternFill("solid", fgColor="DDEBF7")
    head.alignment = Alignment(vertical="center", wrap_text=True)
    book.add_named_style(head)
    book.add_named_style(
        NamedStyle(name=_WRAP, border=border, alignment=Alignment(wrap_text=True, vertical="top"))
    )
    book.add_named_style(NamedStyle(name=_TOP, border=border, alignment=Alignment(vertical="top")))


def build_workbook(data: UnitYear, *, zone: ZoneInfo) -> bytes:
    """The workbook's bytes: the five sheets in order, headers even when a sheet has no rows."""
    book = new_workbook()
    book.remove(book.active)
    _styles(book)
    title = f"{data.unit_name}（{data.unit_code}）{data.span_label}"
    _sheet(book, SHEETS[0], title, _items(data))
    _sheet(book, SHEETS[1], title, _quarters(data))
    _sheet(book, SHEETS[2], title, _halves(data))
    _sheet(book, SHEETS[3], title, _assessment(data, zone))
    _sheet(book, SHEETS[4], title, _records(data.records, zone))
    return save(book)


def sheet_rows(
    data: UnitYear, *, zone: ZoneInfo
) -> list[tuple[str, list[str], list[Sequence[Cell]]]]:
    """Each sheet's name, headers and rows exactly as the workbook writes them (the web view
    shows these: the same 四单 and ledger as /export, not a copy of its rules)."""
    rows = (
        _items(data),
        _quarters(data),
        _halves(data),
        _assessment(data, zone),
        _records(data.records, zone),
    )
    return [
        (name, [header for header, _ in COLUMNS[name]], list(found))
        for name, found in zip(SHEETS, rows, strict=True)
    ]


def _sheet(book: Workbook, name: str, title: str, rows: Iterable[Sequence[Cell]]) -> None:
    ws: Worksheet = book.create_sheet(name)
    columns = COLUMNS[name]
    for index, (header, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.style = _HEAD
        ws.column_dimensions[cell.column_letter].width = width
    wrapped = [header in WRAP for header, _ in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = ws.cell(row=row_number, column=index)
            cell.style = _WRAP if wrapped[index - 1] else _TOP
            put(cell, value)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = header_text(f"{title} {name}")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _items(data: UnitYear) -> Iterable[Sequence[Cell]]:
    for entry in data.items:
        item = entry.item
        yield (
            item.code,
            item.list_kind.value,
            item.duty_type.value,
            item.content,
            item.measures,
            item.timeline,
            item.deadline or "",
            item.frequency.value,
            item.lead,
            "、".join(entry.holders),
        )


def _quarters(data: UnitYear) -> Iterable[Sequence[Cell]]:
    for quarter, rows in data.quarters:
        for row in rows:
            answer: CheckAnswer | None = data.answers.get(
                (row.due_item_id, f"{data.year}-Q{quarter}")
            )
            yield (
                QUARTER_NAMES[quarter - 1],
                row.holder,
                row.item_code,
                row.content,
                period_name(row.period),
                row.due.isoformat(),
                STATE_WORDS[row.state],
                row.done_on.isoformat() if row.done_on else "",
                CHECK_WORDS.get(answer.status, answer.status) if answer else "",
                answer.note if answer else "",
                row.closed_reason or "",
            )


def _halves(data: UnitYear) -> Iterable[Sequence[Cell]]:
    for half, rows in data.halves:
        key = f"{data.year}-H{half}"
        by_holder: dict[str, list[DueRow]] = {}
        for row in rows:
            by_holder.setdefault(row.holder, []).append(row)
        reports = {r.person_id: r for r in data.reports if r.period_key == key}
        for holder, held in by_holder.items():
            count = tally(held)
            owed = [f"{r.item_code}（{period_name(r.period)}）" for r in held if r.state in _OWED]
            person = next((r.person_id for r in held if r.person_id is not None), None)
            report = reports.get(person) if person is not None else None
            words = "" if person is None else "未提交"
            if report is not None:
                words = f"已提交（第{report.version}版，{report.submitted_on or ''}）"
            yield (
                "上半年" if half == 1 else "下半年",
                holder,
                count.total,
                count.done,
                count.open,
                count.closed,
                "、".join(owed),
                words,
            )


_OWED = (DueState.OVERDUE, DueState.OPEN)


def _assessment(data: UnitYear, zone: ZoneInfo) -> Iterable[Sequence[Cell]]:
    found = data.assessment
    if found is None:
        return
    yield (
        data.year,
        data.unit_code,
        data.unit_name,
        data.category,
        found.result,
        found.score,
        found.imported_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    )


def _records(records: list[LedgerRecord], zone: ZoneInfo) -> Iterable[Sequence[Cell]]:
    for entry in records:
        record = entry.record
        yield (
            record.id,
            entry.author,
            entry.item_code or "",
            key_name(entry.period_key) if entry.period_key else "",
            record.happened_on.isoformat(),
            record.text,
            FILE_WORDS.get(record.file_kind or "", "有") if record.file_id else "",
            _links(entry),
            record.late_reason or "",
            record.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )


def _links(entry: LedgerRecord) -> str:
    record = entry.record
    words = []
    if record.voids_id is not None:
        words.append(f"撤销第{record.voids_id}号")
    if record.corrects_id is not None:
        words.append(f"更正第{record.corrects_id}号")
    if entry.voided_by is not None:
        words.append(f"已被第{entry.voided_by}号撤销")
    if entry.corrected_by is not None:
        words.append(f"已被第{entry.corrected_by}号更正")
    return "；".join(words)
