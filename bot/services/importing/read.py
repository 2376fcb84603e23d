"""Read an import source (three CSV files or one XLSX workbook) into raw tables of text cells."""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.plain_text import strip_controls

logger = logging.getLogger(__name__)
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

UNIT_COLUMNS = ("单位编码", "单位名称", "类别", "上级单位编码")
PERSON_COLUMNS = ("人员编码", "姓名", "单位编码", "职务", "责任角色")
PERSON_OPTIONAL = ("Telegram用户ID",)
ITEM_COLUMNS = (
    "事项编码",
    "清单",
    "责任类型",
    "适用范围",
    "责任内容",
    "工作措施",
    "序时进度",
    "频次",
    "完成时限",
    "牵头领导",
    "主责单位",
    "协办单位",
)
# (key, CSV file name, sheet name, required columns)
TABLES = (
    ("units", "units.csv", "单位", UNIT_COLUMNS),
    ("people", "people.csv", "人员", PERSON_COLUMNS),
    ("items", "items.csv", "责任清单", ITEM_COLUMNS),
)
WORKBOOK_SOURCE = "工作簿"
_BREAKING = ("Cc", "Zl", "Zp")  # control characters, line and paragraph separators


@dataclass(frozen=True)
class RawRow:
    """One non-blank data row: its Excel-style number (header = 1) and its cells by column."""

    number: int
    cells: dict[str, str]
    date_columns: frozenset[str] = frozenset()  # cells that were real Excel dates
    control_columns: frozenset[str] = frozenset()  # cells holding control characters as read

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class RawTable:
    """One table as read: the label users see for it, its header and its data rows."""

    source: str
    headers: list[str]
    rows: list[RawRow] = field(default_factory=list)


@dataclass(frozen=True)
class RawTables:
    """The three tables of one import."""

    units: RawTable
    people: RawTable
    items: RawTable


def read_directory(path: Path) -> RawTables:
    """Read a folder holding units.csv, people.csv and items.csv, or one .xlsx file."""
    if path.is_file() and path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_workbook(path.read_bytes())
    if not path.is_dir():
        raise ImportRejected([ImportProblem(source=path.name, code="missing_file")])
    problems: list[ImportProblem] = []
    tables: dict[str, RawTable] = {}
    for key, file_name, _sheet, columns in TABLES:
        file = path / file_name
        if not file.is_file():
            problems.append(ImportProblem(source=file_name, code="missing_file"))
            continue
        table = _read_csv(file_name, file.read_bytes(), problems)
        if table is not None and _check_header(table, columns, problems):
            tables[key] = table
    return _finish(tables, problems)


def read_workbook(data: bytes) -> RawTables:
    """Read XLSX bytes (as an admin sends them) with the sheets 单位, 人员 and 责任清单."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any malformed upload: zip, XML or content-type errors
        logger.info("not a workbook: %s", exc)
        raise ImportRejected([ImportProblem(source=WORKBOOK_SOURCE, code="not_workbook")]) from exc
    problems: list[ImportProblem] = []
    tables: dict[str, RawTable] = {}
    try:
        by_name = {str(name).strip(): name for name in workbook.sheetnames}
        for key, _file, sheet, columns in TABLES:
            if sheet not in by_name:
                problems.append(
                    ImportProblem(
                        source=WORKBOOK_SOURCE,
                        code="missing_sheet",
                        value=sheet,
                        detail="、".join(by_name) or "-",
                    )
                )
                continue
            rows = workbook[by_name[sheet]].iter_rows(values_only=True)
            table = _table(sheet, ([_cell(v) for v in row] for row in rows), problems)
            if table is not None and _check_header(table, columns, problems):
                tables[key] = table
    except Exception as exc:  # a damaged sheet inside a valid zip
        logger.info("unreadable workbook: %s", exc)
        raise ImportRejected([ImportProblem(source=WORKBOOK_SOURCE, code="not_workbook")]) from exc
    finally:
        workbook.close()
    return _finish(tables, problems)


def _finish(tables: dict[str, RawTable], problems: list[ImportProblem]) -> RawTables:
    if problems:
        raise ImportRejected(problems)
    return RawTables(units=tables["units"], people=tables["people"], items=tables["items"])


def _read_csv(source: str, data: bytes, problems: list[ImportProblem]) -> RawTable | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            records = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            problems.append(ImportProblem(source=source, code="bad_csv", detail=str(exc)))
            return None
        return _table(source, ([(v, False) for v in r] for r in records), problems)
    problems.append(ImportProblem(source=source, code="undecodable"))
    return None


def _cell(value: object) -> tuple[str, bool]:
    """A cell as text, and whether it was a date (Excel turns 03-31 into one)."""
    if value is None:
        return "", False
    if isinstance(value, datetime):
        return value.date().isoformat(), True
    if isinstance(value, date):
        return value.isoformat(), True
    if isinstance(value, time):
        return value.isoformat(), False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), False
    if isinstance(value, str):  # Excel saves a control character as _x000B_; openpyxl keeps it
        return EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value), False
    return str(value), False


def _table(
    source: str, records: Iterable[list[tuple[str, bool]]], problems: list[ImportProblem]
) -> RawTable | None:
    """A table from rows of (text, is_date) cells; the first non-blank row is the header."""
    headers: list[str] | None = None
    rows: list[RawRow] = []
    for number, record in enumerate(records, start=1):
        cells = [(strip_controls(text).strip(), is_date) for text, is_date in record]
        if not any(text for text, _ in cells):
            continue
        if headers is None:
            headers = [text for text, _ in cells]
            continue
        values = {h: t for h, (t, _) in zip(headers, cells, strict=False) if h}
        dates = frozenset(h for h, (_, d) in zip(headers, cells, strict=False) if h and d)
        controls = frozenset(
            h for h, (raw, _) in zip(headers, record, strict=False) if h and _has_controls(raw)
        )
        rows.append(
            RawRow(number=number, cells=values, date_columns=dates, control_columns=controls)
        )
    if headers is None:
        problems.append(ImportProblem(source=source, code="empty_file"))
        return None
    while headers and not headers[-1]:
        headers.pop()
    return RawTable(source=source, headers=headers, rows=rows)


def _has_controls(raw: str) -> bool:
    """Whether a cell holds a control character (a tab, a line break, Word's \\x0b…) inside it;
    around it they are only whitespace."""
    text = raw.strip()
    return not text.isprintable() and any(unicodedata.category(ch) in _BREAKING for ch in text)


def _check_header(table: RawTable, columns: tuple[str, ...], problems: list[ImportProblem]) -> bool:
    found = len(problems)
    seen: set[str] = set()
    for header in table.headers:
        if header and header in seen:
            problems.append(
                ImportProblem(source=table.source, code="duplicate_column", row=1, value=header)
            )
        seen.add(header)
    for column in columns:
        if column not in seen:
            problems.append(
                ImportProblem(source=table.source, code="missing_column", row=1, column=column)
            )
    if not table.rows:
        problems.append(ImportProblem(source=table.source, code="no_rows"))
    return len(problems) == found
