"""One unit's ledger facts for a span of days: due items with status, self-checks, reports, records.

Every query is narrowed to one unit (indexed: holding.unit_id, person.unit_id, record.unit_id),
so an export or a chart costs the same in a small district and a large one. Status follows
bot.services.ledger.outstanding: done means a live record, closed means an admin closed it unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import Period, effective_due, stored_period
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.ledger.outstanding import due_item_rows, live_record
from storage.models import (
    DraftState,
    DueItem,
    DutyType,
    Holding,
    Item,
    Person,
    Record,
    Report,
    SelfCheck,
    SelfCheckAnswer,
    Unit,
)

UNIT_TEAM = "单位班子"


class DueState(StrEnum):
    """Where a due item stood on the export's day."""

    DONE = "done"
    CLOSED = "closed"
    OVERDUE = "overdue"
    OPEN = "open"


@dataclass(frozen=True)
class DueRow:
    """One due item of one holder in the unit."""

    due_item_id: int
    item_code: str
    content: str
    duty_type: DutyType
    holder: str  # the person's name, or 单位班子
    person_id: int | None
    period: Period
    due: date  # effective (顺延 applied)
    state: DueState
    done_on: date | None
    closed_reason: str | None


def overlapping(first: date, last: date, today: date) -> ColumnElement[bool]:
    """Due items whose period overlaps first..last and had begun by `today`."""
    return (
        (col(DueItem.period_start) <= min(last, today))
        & (col(DueItem.period_end) >= first)
        & col(Holding.active).is_(True)
        & col(Item.active).is_(True)
    )


async def due_rows(
    session: AsyncSession,
    *,
    unit_id: int,
    first: date,
    last: date,
    today: date,
    where: ColumnElement[bool] | None = None,
    calendar: WorkCalendar | None = None,
) -> list[DueRow]:
    """The unit's due items whose period overlaps first..last (begun by `today`), with status."""
    if calendar is None:
        calendar = await load_calendar(session)
    narrow = (col(Holding.unit_id) == unit_id) & overlapping(first, last, today)
    narrow = narrow & (true() if where is None else where)
    rows = (await session.exec(due_item_rows().where(narrow))).all()
    # An outer join keeps the unit's due items the driving side: SQLite, without statistics,
    # would otherwise walk ix_record_voids_id (every record that is not an undo row, district
    # wide) — seconds on a large district instead of a millisecond. Rows without a live record
    # come back with no date.
    found_dates = (
        await session.exec(
            select(col(DueItem.id), func.min(col(Record.happened_on)))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Record, col(Record.due_item_id) == col(DueItem.id), isouter=True)
            .where(narrow, live_record())
            .group_by(col(DueItem.id))
        )
    ).all()
    done = {due_id: day for due_id, day in found_dates if day is not None}
    found = []
    for due, holding, item, name in rows:
        assert due.id is not None
        effective = effective_due(due.due_date, calendar=calendar).effective
        done_on = done.get(due.id)
        if done_on is not None:
            state = DueState.DONE
        elif due.closed_at is not None:
            state = DueState.CLOSED
        else:
            state = DueState.OVERDUE if today > effective else DueState.OPEN
        found.append(
            DueRow(
                due_item_id=due.id,
                item_code=item.code,
                content=item.content,
                duty_type=item.duty_type,
                holder=name if holding.person_id is not None and name else UNIT_TEAM,
                person_id=holding.person_id,
                period=stored_period(due.period_key, due.period_start, due.period_end),
                due=effective,
                state=state,
                done_on=done_on,
                closed_reason=due.closed_reason if state is DueState.CLOSED else None,
            )
        )
    found.sort(key=lambda r: (r.person_id or 0, r.item_code, r.period.start))  # team first
    return found


@dataclass(frozen=True)
class CheckAnswer:
    """A due item's answer in the latest submitted 季度自查 that covers it."""

    status: str  # done / progress / none
    note: str
    person_id: int


async def selfcheck_answers(
    session: AsyncSession, *, unit_id: int, period_keys: Iterable[str]
) -> dict[int, CheckAnswer]:
    """Due item id → its answer in the latest submitted version per person and quarter."""
    latest = await _latest(session, SelfCheck, unit_id=unit_id, period_keys=period_keys)
    if not latest:
        return {}
    rows = (
        await session.exec(
            select(SelfCheckAnswer, SelfCheck.person_id)
            .join(SelfCheck, col(SelfCheck.id) == col(SelfCheckAnswer.selfcheck_id))
            .where(col(SelfCheckAnswer.selfcheck_id).in_(latest))
            .order_by(col(SelfCheck.submitted_at))
        )
    ).all()
    return {a.due_item_id: CheckAnswer(a.status, a.note, person) for a, person in rows}


@dataclass(frozen=True)
class ReportRow:
    """A person's latest submitted 半年报告 of a half-year."""

    person_id: int
    period_key: str
    version: int
    submitted_on: date | None


async def submitted_reports(
    session: AsyncSession, *, unit_id: int, period_keys: Iterable[str]
) -> list[ReportRow]:
    """The unit's people's latest submitted reports for the given half-year keys."""
    latest = await _latest(session, Report, unit_id=unit_id, period_keys=period_keys)
    if not latest:
        return []
    rows = (await session.exec(select(Report).where(col(Report.id).in_(latest)))).all()
    return [
        ReportRow(
            person_id=r.person_id,
            period_key=r.period_key,
            version=r.version,
            submitted_on=r.submitted_at.date() if r.submitted_at else None,
        )
        for r in rows
    ]


async def _latest(
    session: AsyncSession,
    table: type[SelfCheck] | type[Report],
    *,
    unit_id: int,
    period_keys: Iterable[str],
) -> list[int]:
    """Ids of the highest submitted version per person and period, for the unit's people."""
    rows = (
        await session.exec(
            select(col(table.id), col(table.person_id), col(table.period_key), col(table.version))
            .join(Person, col(Person.id) == col(table.person_id))
            .where(
                col(Person.unit_id) == unit_id,
                col(table.period_key).in_(list(period_keys)),
                col(table.state) == DraftState.SUBMITTED,
            )
        )
    ).all()
    best: dict[tuple[int, str], tuple[int, int]] = {}
    for row_id, person, key, version in rows:
        if row_id is not None and version >= best.get((person, key), (0, 0))[0]:
            best[(person, key)] = (version, row_id)
    return [row_id for _, row_id in best.values()]


async def people_names(session: AsyncSession, *, unit_id: int) -> dict[int, str]:
    """Person id → name for the unit's people (active or not: the ledger keeps history)."""
    rows = (
        await session.exec(select(Person.id, Person.name).where(col(Person.unit_id) == unit_id))
    ).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


async def unit_by_code(session: AsyncSession, *, code: str) -> Unit | None:
    """The unit with this code (any case), active or not."""
    return (
        await session.exec(select(Unit).where(func.upper(col(Unit.code)) == code.strip().upper()))
    ).first()


async def unit_by_id(session: AsyncSession, *, unit_id: int) -> Unit | None:
    return await session.get(Unit, unit_id)


async def active_units(session: AsyncSession) -> list[tuple[str, str]]:
    """(code, name) of every active unit that holds items, by code: what an admin picks from."""
    held = select(col(Holding.unit_id)).where(col(Holding.active).is_(True))
    rows = (
        await session.exec(
            select(Unit.code, Unit.name)
            .where(col(Unit.active).is_(True), col(Unit.id).in_(held))
            .order_by(col(Unit.code))
        )
    ).all()
    return [(code, name) for code, name in rows]
