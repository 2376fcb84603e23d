"""One unit's year for the export: its items and holders, its 履责记实 rows, its assessment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import quarter_span
from bot.services.calendar.workdays import load_calendar
from bot.services.directory.naming import namesakes_apart
from bot.services.ledger.counting import UNIT_TEAM, DueRow, belongs, due_rows
from bot.services.ledger.span import (
    CheckAnswer,
    ReportRow,
    selfcheck_answers,
    submitted_reports,
)
from storage.models import Assessment, DueItem, Holding, Item, Person, Record, Unit

_CHUNK = 2000  # record ids per IN (…) list, twice: 4,000 parameters


@dataclass(frozen=True)
class YearItem:
    """One item the unit holds in the year, with everyone who holds it."""

    item: Item
    holders: list[str]


async def year_items(
    session: AsyncSession, *, unit_id: int, first: date, last: date
) -> list[YearItem]:
    """Items with a due item of the unit that counts in first..last (ledger.counting.belongs:
    its nominal due date there), whoever held it: a year before the items existed is empty."""
    had_due = (
        select(col(DueItem.holding_id))
        .where(col(DueItem.due_date) >= first, col(DueItem.due_date) <= last)
        .scalar_subquery()
    )
    rows = (
        await session.exec(
            select(Item, Holding, Person.name)
            .join(Holding, col(Holding.item_id) == col(Item.id))
            .join(Person, col(Person.id) == col(Holding.person_id), isouter=True)
            .where(col(Holding.unit_id) == unit_id, col(Holding.id).in_(had_due))
        )
    ).all()
    return await _by_item(session, rows)


async def held_items(session: AsyncSession, *, unit_id: int) -> list[YearItem]:
    """The unit's 责任清单 as it stands: each active item held by an active person of the unit
    or by its 单位班子, whenever it falls due; built-in items and anything an import
    deactivated (the item, the holding or the person) left out."""
    rows = (
        await session.exec(
            select(Item, Holding, Person.name)
            .join(Holding, col(Holding.item_id) == col(Item.id))
            .join(Person, col(Person.id) == col(Holding.person_id), isouter=True)
            .where(
                col(Holding.unit_id) == unit_id,
                col(Holding.active),
                col(Item.active),
                col(Item.system).is_(None),
                or_(col(Holding.person_id).is_(None), col(Person.active)),
            )
        )
    ).all()
    return await _by_item(session, rows)


async def _by_item(
    session: AsyncSession, rows: Sequence[tuple[Item, Holding, str | None]]
) -> list[YearItem]:
    """Rows of (item, holding, holder's name) as items with their holders, in list order (two
    holders of one name told apart: 名（职务）)."""
    labels = await namesakes_apart(
        session, holders=((h.unit_id, h.person_id, name) for _, h, name in rows)
    )
    by_item: dict[int, YearItem] = {}
    for item, holding, name in rows:
        assert item.id is not None
        entry = by_item.setdefault(item.id, YearItem(item, []))
        holder = name if holding.person_id is not None and name else UNIT_TEAM
        holder = labels.get(holding.person_id or 0, holder)
        if holder not in entry.holders:
            entry.holders.append(holder)
    found = sorted(by_item.values(), key=lambda e: (e.item.system is not None, e.item.code))
    for entry in found:
        entry.holders.sort(key=lambda h: (h != UNIT_TEAM, h))
    return found


@dataclass(frozen=True)
class LedgerRecord:
    """A 履责记实 row as the 台账 prints it."""

    record: Record
    author: str
    item_code: str | None
    period_key: str | None
    corrected_by: int | None  # a later row that corrects this one
    voided_by: int | None  # a later row that undoes this one


async def unit_records(
    session: AsyncSession, *, unit_id: int, first: date, last: date
) -> list[LedgerRecord]:
    """Every record of the unit that happened in first..last, undo and correction rows included,
    each marked with the rows (of any date) that correct or undo it; in order of recording."""
    holding, item, due = aliased(Holding), aliased(Item), aliased(DueItem)
    rows = (
        await session.exec(
            select(Record, Person.name, item.code, due.period_key)
            .join(Person, col(Person.id) == col(Record.author_id))
            .join(due, col(due.id) == col(Record.due_item_id), isouter=True)
            .join(holding, col(holding.id) == col(due.holding_id), isouter=True)
            .join(item, col(item.id) == col(holding.item_id), isouter=True)
            .where(
                col(Record.unit_id) == unit_id,
                col(Record.happened_on) >= first,
                col(Record.happened_on) <= last,
            )
            .order_by(col(Record.recorded_at), col(Record.id))
        )
    ).all()
    ids = [record.id for record, *_ in rows]
    later: list[tuple[int | None, int | None, int | None]] = []
    for start in range(0, len(ids), _CHUNK):  # bound parameters stay far below any limit
        chunk = ids[start : start + _CHUNK]
        later += (
            await session.exec(
                select(Record.id, Record.corrects_id, Record.voids_id).where(
                    or_(col(Record.corrects_id).in_(chunk), col(Record.voids_id).in_(chunk))
                )
            )
        ).all()
    corrected: dict[int, int] = {}
    voided: dict[int, int] = {}
    for row_id, corrects, voids in sorted(later, key=lambda r: r[0] or 0):
        if row_id is None:
            continue
        if corrects is not None:
            corrected[corrects] = row_id
        if voids is not None:
            voided[voids] = row_id
    return [
        LedgerRecord(
            record=record,
            author=name,
            item_code=code,
            period_key=key,
            corrected_by=corrected.get(record.id or 0),
            voided_by=voided.get(record.id or 0),
        )
        for record, name, code, key in rows
    ]


async def unit_assessment(session: AsyncSession, *, unit_id: int, year: int) -> Assessment | None:
    """The unit's 年终考核 result for the year, if imported."""
    return (
        await session.exec(
            select(Assessment).where(
                col(Assessment.unit_id) == unit_id, col(Assessment.year) == year
            )
        )
    ).first()


@dataclass(frozen=True)
class UnitYear:
    """Everything the workbook prints for one unit and one year (or one quarter of it)."""

    unit_code: str
    unit_name: str
    category: str
    year: int
    quarter: int | None  # None: the whole year
    items: list[YearItem]
    quarters: list[tuple[int, list[DueRow]]]
    answers: dict[tuple[int, str], CheckAnswer]  # (due item, quarter key)
    halves: list[tuple[int, list[DueRow]]]
    reports: list[ReportRow]
    assessment: Assessment | None
    records: list[LedgerRecord]

    @property
    def span_label(self) -> str:
        return f"{self.year}年" + (f"第{self.quarter}季度" if self.quarter else "")


def _counting(rows: list[DueRow], first: date, last: date) -> list[DueRow]:
    """The rows that count in first..last (the one rule: ledger.counting.belongs)."""
    return [r for r in rows if belongs(r.nominal, first, last)]


async def collect(
    session: AsyncSession, *, unit: Unit, year: int, quarter: int | None, today: date
) -> UnitYear:
    """Read the unit's year (or quarter): a handful of queries, each narrowed to the unit."""
    assert unit.id is not None
    calendar = await load_calendar(session)
    quarters = [quarter] if quarter else [1, 2, 3, 4]
    halves = sorted({(q + 1) // 2 for q in quarters})
    span_first = quarter_span(year, 2 * halves[0] - 1)[0]
    span_last = quarter_span(year, 2 * halves[-1])[1]
    rows = await due_rows(  # one read for every quarter and half-year shown
        session,
        first=span_first,
        last=span_last,
        today=today,
        where=col(Holding.unit_id) == unit.id,
        calendar=calendar,
    )
    quarter_rows = [(q, _counting(rows, *quarter_span(year, q))) for q in quarters]
    half_rows = [
        (h, _counting(rows, quarter_span(year, 2 * h - 1)[0], quarter_span(year, 2 * h)[1]))
        for h in halves
    ]
    first, last = quarter_span(year, quarters[0])[0], quarter_span(year, quarters[-1])[1]
    return UnitYear(
        unit_code=unit.code,
        unit_name=unit.name,
        category=unit.category.value if unit.category else "",
        year=year,
        quarter=quarter,
        items=await year_items(session, unit_id=unit.id, first=first, last=last),
        quarters=quarter_rows,
        answers=await selfcheck_answers(
            session, unit_id=unit.id, period_keys=[f"{year}-Q{q}" for q in quarters]
        ),
        halves=half_rows,
        reports=await submitted_reports(
            session, unit_id=unit.id, period_keys=[f"{year}-H{h}" for h in halves]
        ),
        assessment=await unit_assessment(session, unit_id=unit.id, year=year),
        records=await unit_records(session, unit_id=unit.id, first=first, last=last),
    )
