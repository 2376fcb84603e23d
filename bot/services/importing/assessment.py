"""年终考核 import: a workbook sheet "年终考核" (单位编码, 年度, 考核结果, 分数) → one Assessment per unit and year.

Every row is checked first; any problem and nothing is written. A unit's result for a year
imported again replaces the earlier one (delete and insert by the unique unit + year, in
the same transaction).
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import openpyxl
from sqlalchemy import and_, delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import DomainError
from bot.services.plain_text import strip_controls
from storage.models import Assessment, AuditEntry, Unit

SHEET = "年终考核"
REQUIRED = ("单位编码", "年度", "考核结果")
OPTIONAL = ("分数",)
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class AssessmentProblem:
    """One bad cell: the Excel row (header = 1), the column, what was there, and why (`code`)."""

    code: str  # no_sheet / missing_column / empty / unknown_unit / unranked_unit / bad_year /
    # bad_result / bad_score / duplicate
    row: int | None = None
    column: str = ""
    value: str = ""
    detail: str = ""
    year: int | None = None  # duplicate: the year both rows give


class AssessmentRejected(DomainError):
    """The sheet has problems; nothing was imported."""

    def __init__(self, problems: list[AssessmentProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class AssessmentImported:
    """What the import did: rows written, of which replaced an earlier result; the years."""

    imported: int
    replaced: int
    years: tuple[int, ...]


def has_assessment_sheet(data: bytes) -> bool:
    """Whether the workbook carries a "年终考核" sheet (an unreadable file: no)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    try:
        return SHEET in book.sheetnames
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else strip_controls(str(value)).strip()


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if SHEET not in book.sheetnames:
            raise AssessmentRejected([AssessmentProblem("no_sheet")])
        cells = [[_text(v) for v in row] for row in book[SHEET].iter_rows(values_only=True)]
    finally:
        book.close()
    header = cells[0] if cells else []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise AssessmentRejected(
            [AssessmentProblem("missing_column", row=1, column=name) for name in missing]
        )
    where = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    found = []
    for number, row in enumerate(cells[1:], start=2):
        if not any(row):
            continue
        found.append((number, {name: row[i] if i < len(row) else "" for name, i in where.items()}))
    if not found:
        raise AssessmentRejected([AssessmentProblem("empty")])
    return found


def _year(text: str) -> int | None:
    """The year a cell gives (decimal digits, full-width too), None when it gives none:
    "²⁰²⁶" passes str.isdigit() but int() refuses it."""
    if not text.isdecimal():
        return None
    year = int(text)
    return year if year in YEARS else None


def _check(
    rows: list[tuple[int, dict[str, str]]],
    units: dict[str, int],
    results: tuple[str, ...],
    unranked: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[AssessmentProblem]]:
    """Valid rows and the problems; `unranked` names the units without a category (区纪委监委):
    a result for one could be counted but never ranked, so it is refused."""
    unranked = unranked or {}
    problems: list[AssessmentProblem] = []
    valid: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, row in rows:
        code, year, result = row["单位编码"].upper(), row["年度"], row["考核结果"]
        score_text = row.get("分数", "")
        bad = len(problems)
        if code in unranked:
            problems.append(
                AssessmentProblem("unranked_unit", number, "单位编码", code, unranked[code])
            )
        elif code not in units:
            problems.append(AssessmentProblem("unknown_unit", number, "单位编码", row["单位编码"]))
        if _year(year) is None:
            problems.append(AssessmentProblem("bad_year", number, "年度", year))
        if result not in results:
            problems.append(
                AssessmentProblem("bad_result", number, "考核结果", result, "、".join(results))
            )
        score: float | None = None
        if score_text:
            try:
                score = float(score_text)
            except ValueError:
                score = -1.0
            if not 0 <= score <= 100:
                problems.append(AssessmentProblem("bad_score", number, "分数", score_text))
        if len(problems) > bad:
            continue
        as_number = _year(year) or 0
        first = seen.setdefault((code, as_number), number)
        if first != number:  # 2026 and 02026 are one year: the table holds one row per unit-year
            problems.append(
                AssessmentProblem("duplicate", number, "年度", code, str(first), as_number)
            )
            continue
        valid.append({"unit_id": units[code], "year": as_number, "result": result, "score": score})
    return valid, problems


async def import_assessments(
    session: AsyncSession,
    *,
    data: bytes,
    results: Iterable[str],
    now: datetime,
    actor_person_id: int | None = None,
) -> AssessmentImported:
    """Check every row, then write them all (replacing a unit-year imported before) and commit."""
    rows = await asyncio.to_thread(_rows, data)  # the workbook parsed off the event loop
    known = (
        await session.exec(select(col(Unit.code), col(Unit.id), col(Unit.name), col(Unit.category)))
    ).all()
    units = {code.upper(): unit_id for code, unit_id, _, _ in known if unit_id is not None}
    unranked = {code.upper(): name for code, _, name, category in known if category is None}
    valid, problems = _check(rows, units, tuple(results), unranked)
    if problems:
        raise AssessmentRejected(problems)
    keys = [
        and_(col(Assessment.unit_id) == r["unit_id"], col(Assessment.year) == r["year"])
        for r in valid
    ]
    replaced = 0
    for start in range(0, len(keys), 200):
        result = await session.exec(delete(Assessment).where(or_(*keys[start : start + 200])))
        replaced += result.rowcount
    session.add_all(Assessment(**row, imported_at=now) for row in valid)
    years = tuple(sorted({row["year"] for row in valid}))
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="assessment_import",
            detail=json.dumps(
                {"rows": len(valid), "replaced": replaced, "years": years}, ensure_ascii=False
            ),
        )
    )
    await session.commit()
    return AssessmentImported(imported=len(valid), replaced=replaced, years=years)
