"""Admins' working-day overrides from a CSV (日期,类型,说明): every line checked, then all or nothing."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import DueRule
from bot.services.calendar.workdays import Source, load_calendar
from bot.services.errors import CalendarProblem, CalendarRejected
from bot.services.ledger.due_items import redate_open
from bot.services.plain_text import strip_controls
from storage.models import AuditEntry, CalendarOverride, CalendarYear

logger = logging.getLogger(__name__)

DATE, KIND, NOTE = "日期", "类型", "说明"
KINDS = {"上班": True, "休息": False}
NOTE_LIMIT = 200  # CalendarOverride.note
FIRST_YEAR, LAST_YEAR = 2000, 2100
_DATE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$"
)


@dataclass(frozen=True)
class OverrideRow:
    """One checked line of an override file."""

    line: int
    day: date
    working: bool
    note: str


@dataclass(frozen=True)
class CalendarImport:
    """What an import did: overrides added, changed, already so; the years touched and their
    source afterwards; open due items whose date moved (the built-in items count working days)."""

    added: int
    changed: int
    unchanged: int
    years: dict[int, Source] = field(default_factory=dict)
    working: int = 0
    resting: int = 0
    redated: int = 0


def read_overrides(data: bytes) -> list[OverrideRow]:
    """Decode (UTF-8 with or without BOM, else GB18030) and check every line; raise
    CalendarRejected with every problem found, or return the rows (a repeated date with the same
    类型 counts once)."""
    text = _decode(data)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise CalendarRejected([CalendarProblem(code="bad_csv", detail=str(exc))]) from exc
    records = [(line, r) for line, r in records if any(cell.strip() for cell in r)]
    if not records:
        raise CalendarRejected([CalendarProblem(code="empty_file")])
    header_line, header = records[0]
    headers = [cell.strip().lstrip("\ufeff") for cell in header]
    problems = _check_header(headers, header_line)
    if problems:
        raise CalendarRejected(problems)
    if len(records) == 1:
        raise CalendarRejected([CalendarProblem(code="no_rows")])
    rows: list[OverrideRow] = []
    first_seen: dict[date, OverrideRow] = {}
    for line, record in records[1:]:
        cells = {
            h: (strip_controls(record[i]).strip() if i < len(record) else "")
            for i, h in enumerate(headers)
        }
        row = _check_line(line, cells, headers, problems)
        if row is None:
            continue
        earlier = first_seen.get(row.day)
        if earlier is None:
            first_seen[row.day] = row
            rows.append(row)
        elif earlier.working != row.working:
            problems.append(_problem("conflicting_date", line, DATE, headers, cells[DATE], earlier))
    if problems:
        raise CalendarRejected(problems)
    return rows


def check_whole_year(rows: list[OverrideRow], year: int) -> None:
    """A file declared to be `year`'s whole schedule must hold at least one day of that year."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarRejected([CalendarProblem(code="whole_year_out_of_range", value=str(year))])
    if not any(row.day.year == year for row in rows):
        raise CalendarRejected([CalendarProblem(code="whole_year_not_in_file", value=str(year))])


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarRejected([CalendarProblem(code="undecodable")])


def _check_header(headers: list[str], line: int) -> list[CalendarProblem]:
    problems = []
    seen: set[str] = set()
    for number, header in enumerate(headers, start=1):
        if header and header in seen:
            problems.append(
                CalendarProblem(
                    code="duplicate_column", line=line, column=header, column_number=number
                )
            )
        seen.add(header)
    problems.extend(
        CalendarProblem(code="missing_column", line=line, column=column)
        for column in (DATE, KIND)
        if column not in seen
    )
    return problems


def _problem(
    code: str,
    line: int,
    column: str,
    headers: list[str],
    value: str,
    earlier: OverrideRow | None = None,
) -> CalendarProblem:
    return CalendarProblem(
        code=code,
        line=line,
        column=column,
        column_number=headers.index(column) + 1,
        value=value,
        detail=str(earlier.line) if earlier else "",
    )


def _check_line(
    line: int, cells: dict[str, str], headers: list[str], problems: list[CalendarProblem]
) -> OverrideRow | None:
    before = len(problems)
    day = parse_day(cells[DATE])
    if not cells[DATE]:
        problems.append(_problem("empty_date", line, DATE, headers, ""))
    elif day is None:
        problems.append(_problem("bad_date", line, DATE, headers, cells[DATE]))
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(_problem("year_out_of_range", line, DATE, headers, cells[DATE]))
    kind = cells[KIND]
    if not kind:
        problems.append(_problem("empty_kind", line, KIND, headers, ""))
    elif kind not in KINDS:
        problems.append(_problem("bad_kind", line, KIND, headers, kind))
    note = cells.get(NOTE, "")
    if len(note) > NOTE_LIMIT:
        problems.append(_problem("note_too_long", line, NOTE, headers, note[:20] + "…"))
    if len(problems) > before or day is None:
        return None
    return OverrideRow(line=line, day=day, working=KINDS[kind], note=note)


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD, YYYY/M/D or YYYY年M月D日 as a date; None when it is not a real day."""
    found = _DATE.match(text.strip())
    if found is None:
        return None
    month, day = next((found[i], found[i + 1]) for i in (2, 4, 6) if found[i] is not None)
    try:
        return date(int(found[1]), int(month), int(day))
    except ValueError:
        return None


async def import_overrides(
    session: AsyncSession,
    *,
    rows: list[OverrideRow],
    source: str,
    now: datetime,
    actor_person_id: int | None = None,
    whole_year: int | None = None,
) -> CalendarImport:
    """Upsert every override in one transaction (audited as calendar_import), move the due dates
    of open built-in items whose working days changed, and commit. With `whole_year` the file is
    that year's whole published schedule: the year counts as known (no longer estimated)."""
    if whole_year is not None:
        check_whole_year(rows, whole_year)
        await _declare_year(session, whole_year, source, now, actor_person_id)
    days = [row.day for row in rows]
    existing = {
        o.day: o
        for o in (
            await session.exec(select(CalendarOverride).where(col(CalendarOverride.day).in_(days)))
        ).all()
    }
    added = changed = 0
    before: dict[str, str] = {}
    for row in rows:
        current = existing.get(row.day)
        if current is None:
            session.add(
                CalendarOverride(
                    day=row.day,
                    working=row.working,
                    note=row.note,
                    updated_at=now,
                    actor_person_id=actor_person_id,
                )
            )
            added += 1
        elif (current.working, current.note) != (row.working, row.note):
            before[row.day.isoformat()] = _word(current.working, current.note)
            current.working, current.note = row.working, row.note
            current.updated_at, current.actor_person_id = now, actor_person_id
            changed += 1
    await session.flush()
    calendar = await load_calendar(session, fresh=True)
    rule = DueRule(calendar)
    redated = await redate_open(session, rule=rule)
    years = sorted({day.year for day in days} | ({whole_year} if whole_year else set()))
    detail = {
        "source": source,
        "added": added,
        "changed": changed,
        "days": {row.day.isoformat(): _word(row.working, row.note) for row in rows},
        "before": before,
        "redated": redated,
        "whole_year": whole_year,
    }
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="calendar_import",
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )
    await session.commit()
    logger.info("calendar import %s: %d added, %d changed", source, added, changed)
    return CalendarImport(
        added=added,
        changed=changed,
        unchanged=len(rows) - added - changed,
        years={year: calendar.source(year) for year in years},
        working=sum(1 for row in rows if row.working),
        resting=sum(1 for row in rows if not row.working),
        redated=redated,
    )


async def _declare_year(
    session: AsyncSession, year: int, source: str, now: datetime, actor: int | None
) -> None:
    known = await session.get(CalendarYear, year)
    if known is None:
        session.add(
            CalendarYear(year=year, source=source[:200], imported_at=now, actor_person_id=actor)
        )
    else:
        known.source, known.imported_at, known.actor_person_id = source[:200], now, actor


def _word(working: bool, note: str) -> str:
    kind = "上班" if working else "休息"
    return f"{kind} {note}".strip()
