"""Helpers for the import tests: a writable copy of the sample district, CSV edits, DB snapshots."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models  # noqa: F401  (every table in the metadata)

DISTRICT = Path(__file__).resolve().parents[2] / "examples" / "district"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
FILES = {"units.csv": "单位", "people.csv": "人员", "items.csv": "责任清单"}


def district(tmp_path: Path, name: str = "district") -> Path:
    """A writable copy of the sample district."""
    target = tmp_path / name
    shutil.copytree(DISTRICT, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def read_rows(folder: Path, file: str) -> tuple[list[str], list[dict[str, str]]]:
    with (folder / file).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(
    folder: Path, file: str, headers: list[str], rows: list[dict[str, str]], encoding: str = "utf-8"
) -> None:
    with (folder / file).open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)


def edit(folder: Path, file: str, code: str, column: str, value: str) -> None:
    """Set one cell of the row whose first column is `code` (a new column is added if needed)."""
    headers, rows = read_rows(folder, file)
    if column not in headers:
        headers.append(column)
    found = [row for row in rows if row[headers[0]] == code]
    assert found, f"{code} not in {file}"
    found[0][column] = value
    write_rows(folder, file, headers, rows)


def drop(folder: Path, file: str, *codes: str) -> None:
    headers, rows = read_rows(folder, file)
    write_rows(folder, file, headers, [row for row in rows if row[headers[0]] not in codes])


def workbook_bytes(folder: Path, tmp_path: Path, cells: dict[tuple[str, str, str], Any]) -> bytes:
    """The folder's CSVs as one XLSX workbook; `cells[(sheet, code, column)]` overrides a cell."""
    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    for file, sheet_name in FILES.items():
        sheet = book.create_sheet(sheet_name)
        headers, rows = read_rows(folder, file)
        sheet.append(headers)
        for row in rows:
            code = row[headers[0]]
            values = [cells.get((sheet_name, code, h), row[h] or None) for h in headers]
            sheet.append(values)
    path = tmp_path / "district.xlsx"
    book.save(path)
    return path.read_bytes()


async def snapshot(session: AsyncSession, *, skip: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """Every row of every table, in primary-key order."""
    conn = await session.connection()
    result: dict[str, list[Any]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in skip:
            continue
        query = sa.select(table).order_by(*table.primary_key.columns)
        result[table.name] = [tuple(row) for row in (await conn.execute(query)).all()]
    await session.rollback()
    return result
