"""THE ledger rule: which due items count in a period, and which are done, on time, late or overdue.

Every view that shows a figure for a unit, a holder or a period asks this module (README, "what
counts where"):
- **belongs**: a due item counts in the period (month, quarter, half-year, year, any span) that
  holds its nominal due date — the date its rule names, before 顺延 — once its own period has
  begun; so a yearly item counts once (in the quarter and half-year of its due date) and a
  one-off or assigned item once, in the period of its 完成时限, never earlier. Inactive holdings
  and items do not count.
- **done**: it has a 履责记实 that counts (`outstanding.live_record`: a chain of a record and its
  corrections is one fact, live while its newest row is neither undone nor corrected);
  **done on** is the `happened_on` of that row, which a correction copies from the first row,
  so correcting a text months later never moves the day.
- **on time**: done on or before the effective due date (顺延 applied); **late** otherwise.
- **closed**: an admin closed it unrecorded: out of the totals, shown 已关闭.
- **overdue** as of a day: not done, not closed, and the day is after the effective due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import Period, effective_due, stored_period
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.directory.naming import namesakes_apart
from bot.services.ledger.outstanding import due_item_rows, live_record
from storage.models import DueItem, DutyType, Frequency, Holding, Item, Record

UNIT_TEAM = "单位班子"


class DueState(StrEnum):
    """Where a due item stands on a day."""

    DONE = "done"
    CLOSED = "closed"
    OVERDUE = "overdue"
    OPEN = "open"


def state_of(*, done_on: date | None, closed: bool, due: date, today: date) -> DueState:
    """The one rule: done first (a record counts even on a closed item), then closed, then
    overdue once `today` is past the effective due date."""
    if done_on is not None:
        return DueState.DONE
    if closed:
        return DueState.CLOSED
    return DueState.OVERDUE if today > due else DueState.OPEN


def belongs(nominal: date, first: date, last: date) -> bool:
    """A due item counts in first..last when its nominal due date falls there."""
    return first <= nominal <= last


@dataclass(frozen=True)
class DueRow:
    """One due item of one holder as the ledger counts it on `today`."""

    due_item_id: int
    unit_id: int
    item_code: str
    content: str
    duty_type: DutyType
    frequency: Frequency
    system: str | None  # ZC / BG for the built-in items
    holder: str  # the person's name, or 单位班子
    person_id: int | None
    period: Period
    nominal: date  # the date its rule names (DueItem.due_date)
    due: date  # effective (顺延 applied)
    state: DueState
    done_on: date | None
    closed_reason: str | None

    @property
    def counted(self) -> bool:
        """In the totals: everything but an item closed unrecorded."""
        return self.state is not DueState.CLOSED

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due


@dataclass(frozen=True)
class Tally:
    """A set of due items counted: total (closed left out), done, on time, overdue, closed."""

    total: int
    done: int
    timely: int
    overdue: int
    closed: int

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def completion(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def timeliness(self) -> float | None:
        return self.timely / self.total if self.total else None


def tally(rows: Iterable[DueRow]) -> Tally:
    """Count rows by the rule (their state was fixed by the day they were read for)."""
    total = done = timely = overdue = closed = 0
    for row in rows:
        if not row.counted:
            closed += 1
            continue
        total += 1
        if row.state is DueState.DONE:
            done += 1
            timely += row.on_time
        elif row.state is DueState.OVERDUE:
            overdue += 1
    return Tally(total, done, timely, overdue, closed)


def counting_in(first: date, last: date, today: date) -> ColumnElement[bool]:
    """SQL for `belongs`, with the period begun by `today` and holding and item active."""
    return (
        (col(DueItem.due_date) >= first)
        & (col(DueItem.due_date) <= last)
        & (col(DueItem.period_start) <= today)
        & col(Holding.active).is_(True)
        & col(Item.active).is_(True)
    )


async def due_rows(
    session: AsyncSession,
    *,
    first: date,
    last: date,
    today: date,
    where: ColumnElement[bool] | None = None,
    calendar: WorkCalendar | None = None,
) -> list[DueRow]:
    """The due items that count in first..last as of `today` (narrowed by `where`), with state;
    closed ones included (state CLOSED, out of any tally's total)."""
    return await rows_where(
        session,
        where=counting_in(first, last, today) & (true() if where is None else where),
        today=today,
        calendar=calendar,
    )


async def rows_where(
    session: AsyncSession,
    *,
    where: ColumnElement[bool],
    today: date,
    calendar: WorkCalendar | None = None,
) -> list[DueRow]:
    """Any due items (DueItem joined to Holding and Item), each with its state on `today`."""
    if calendar is None:
        calendar = await load_calendar(session)
    rows = (await session.exec(due_item_rows().where(where))).all()
    done = await done_dates(session, where=where)
    dues: dict[date, date] = {}
    found = []
    for due, holding, item, name in rows:
        assert due.id is not None
        effective = dues.get(due.due_date)
        if effective is None:
            effective = dues[due.due_date] = effective_due(
                due.due_date, calendar=calendar
            ).effective
        done_on = done.get(due.id)
        state = state_of(
            done_on=done_on, closed=due.closed_at is not None, due=effective, today=today
        )
        found.append(
            DueRow(
                due_item_id=due.id,
                unit_id=holding.unit_id,
                item_code=item.code,
                content=item.content,
                duty_type=item.duty_type,
                frequency=item.frequency,
                system=item.system,
                holder=name if holding.person_id is not None and name else UNIT_TEAM,
                person_id=holding.person_id,
                period=stored_period(due.period_key, due.period_start, due.period_end),
                nominal=due.due_date,
                due=effective,
                state=state,
                done_on=done_on,
                closed_reason=due.closed_reason if state is DueState.CLOSED else None,
            )
        )
    found.sort(key=lambda r: (r.unit_id, r.person_id or 0, r.item_code, r.period.start))
    return await _namesakes_apart(session, found)


async def _namesakes_apart(session: AsyncSession, rows: list[DueRow]) -> list[DueRow]:
    """Two people of one name in one unit are two holders: their rows are relabelled 名（职务）
    or 名（编码）, so that no view adds them up by name."""
    labels = await namesakes_apart(
        session, holders=((r.unit_id, r.person_id, r.holder) for r in rows)
    )
    if not labels:
        return rows
    return [
        replace(row, holder=labels[row.person_id]) if row.person_id in labels else row
        for row in rows
    ]


async def done_dates(session: AsyncSession, *, where: ColumnElement[bool]) -> dict[int, date]:
    """Due item → the day it was done (its live records' earliest `happened_on`), for the due
    items `where` selects (DueItem joined to Holding and Item)."""
    # An outer join keeps the due items the driving side: SQLite, without statistics, would
    # otherwise walk ix_record_voids_id over every record district-wide.
    rows = (
        await session.exec(
            select(col(DueItem.id), func.min(col(Record.happened_on)))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Record, col(Record.due_item_id) == col(DueItem.id), isouter=True)
            .where(where, live_record())
            .group_by(col(DueItem.id))
        )
    ).all()
    return {due_id: day for due_id, day in rows if due_id is not None and day is not None}
