"""The one writer of every workbook, CSV and TSV the bot produces: text stays text, never a formula.

Every file people open in Excel or WPS goes through here, so a unit name or a record that starts
with "=" (or + - @, a tab, a carriage return) is never run as a formula, and the control
characters a workbook cannot hold are dropped instead of failing the whole file:
- XLSX: a text cell is written with data_type "s"; one starting with a formula character is also
  marked quotePrefix (what Excel does for a typed leading apostrophe), so editing the cell in
  Excel keeps it text; characters openpyxl refuses (ILLEGAL_CHARACTERS_RE) are removed.
- CSV and TSV: a field starting with a formula character gets a leading apostrophe (OWASP's
  CSV-injection advice); control characters are removed, and in TSV tabs and line breaks inside
  a field become spaces, so a row stays one line of the right number of columns.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | float | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TSV_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def xlsx_text(text: str) -> str:
    """`text` as a workbook cell can hold it (openpyxl's illegal characters removed)."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def header_text(text: str) -> str:
    """`text` for a print header or footer: "&" doubled, since Excel reads &A, &P, &"…" in one as
    codes (a unit named "A&B" would print as "A" and the sheet's name)."""
    return xlsx_text(text).replace("&", "&&")


def put(cell: Cell, value: object) -> None:
    """Write one value into a workbook cell: text as text, numbers as numbers."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # "=…" is text, not a formula
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value


def write_row(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    """Write `values` into row `row` (1-based), each through `put`."""
    for column, value in enumerate(values, start=1):
        put(sheet.cell(row=row, column=column), value)


def new_workbook() -> Workbook:
    """An empty workbook (one sheet); build every workbook with this and `put`/`write_row`."""
    return Workbook()


def save(book: Workbook) -> bytes:
    """The workbook's bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def field(value: object) -> str:
    """One CSV/TSV field: control characters removed, a formula character neutralised."""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) != "Cc")
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV in UTF-8 with BOM, so Excel and WPS open it without garbling."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([field(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def tsv_lines(rows: Iterable[Sequence[object]]) -> list[str]:
    """Rows as tab-separated lines, to paste into a spreadsheet: one line per row, always."""
    return ["\t".join(field(value).translate(_TSV_BREAKS) for value in row) for row in rows]
