"""What is outstanding as of a day: the one definition every list, reminder and report uses.

A due item is outstanding while its holding and item are active, its period has begun, it has
no 履责记实 that counts (undone and corrected-away rows don't) and no admin closed it — whatever its period, past periods included. It is overdue
once its due date has passed; it stays so until recorded or closed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.services.calendar.periods import DueDate, Period, effective_due, local_date, stored_period
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.directory.naming import namesakes_apart
from storage.models import DueItem, DutyType, Holding, Item, Person, Record


def due_item_rows() -> Select[DueItem, Holding, Item, str]:
    """Due items with their holding, item and holder's name (None for a 单位班子): what every
    list and the reminders read; narrow it with .where(...)."""
    return (
        select(DueItem, Holding, Item, Person.name)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id), isouter=True)
    )


@functools.cache  # expressions never change: built once, not on every query
def live_record(record: Any = Record) -> ColumnElement[bool]:
    """A 履责记实 row that counts: the newest row of its chain (a record and its corrections),
    not an undo (撤销) row and not undone. A corrected row never counts again: undoing its
    correction ends the chain (撤销 acts on the chain, bot.services.records.writing.undo)."""
    undo, fix = aliased(Record), aliased(Record)
    # `voids_id IS NULL` is written so that no index can serve it: almost every row is NULL,
    # and SQLite (no statistics) would otherwise walk ix_record_voids_id over every record
    # instead of looking records up by due item
    return and_(
        func.coalesce(record.voids_id, 0) == 0,
        ~exists().where(undo.voids_id == record.id),
        ~exists().where(fix.corrects_id == record.id),
    )


@functools.cache
def recorded() -> ColumnElement[bool]:
    """The due item has at least one 履责记实 that counts."""
    row = aliased(Record)
    return exists().where(col(row.due_item_id) == col(DueItem.id), live_record(row))


@functools.cache
def is_open() -> ColumnElement[bool]:
    """The due item has no record and was not closed (its due date may still move)."""
    return and_(col(DueItem.closed_at).is_(None), ~recorded())


def is_outstanding(today: date) -> ColumnElement[bool]:
    """The one definition of outstanding as of `today` (needs DueItem joined to Holding and Item)."""
    return and_(
        is_open(),
        col(DueItem.period_start) <= today,
        col(Holding.active).is_(True),
        col(Item.active).is_(True),
    )


@dataclass(frozen=True)
class OutstandingItem:
    """One outstanding due item: whose, which item, which period, due when."""

    due_item_id: int
    item_code: str
    content: str
    duty_type: DutyType
    period: Period
    due: date  # the effective due date (顺延 applied)
    nominal: date  # the date its rule names (DueItem.due_date)
    unit_id: int
    unit_team: bool
    holder_name: str | None
    days_overdue: int  # 0 or less: not overdue yet
    holder_id: int | None = None  # the holding's person (None: the 单位班子)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


async def outstanding(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    where: ColumnElement[bool] | None = None,
    calendar: WorkCalendar | None = None,
) -> list[OutstandingItem]:
    """Every outstanding due item as of `now` (optionally narrowed by `where`), oldest due first.

    Due dates are effective ones (顺延 applied); without `calendar`, the current one is loaded.
    """
    today = local_date(now, zone)
    if calendar is None:
        calendar = await load_calendar(session)
    # plain columns, not entities: a large unit's list is read without building ORM objects
    query = (
        sa_select(
            col(DueItem.id),
            col(DueItem.due_date),
            col(DueItem.period_key),
            col(DueItem.period_start),
            col(DueItem.period_end),
            col(Holding.unit_id),
            col(Holding.person_id),
            col(Item.code),
            col(Item.content),
            col(Item.duty_type),
            col(Person.name),
        )
        .select_from(DueItem)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id), isouter=True)
        .where(is_outstanding(today), true() if where is None else where)
    )
    found = []
    dues: dict[date, DueDate] = {}
    for row in (await session.exec(query)).all():  # type: ignore[call-overload]
        due_id, nominal, key, start, end, unit_id, holder_id, code, content, duty, name = row
        when = dues.get(nominal)
        if when is None:
            when = dues[nominal] = effective_due(nominal, calendar=calendar)
        found.append(
            OutstandingItem(
                due_item_id=_id(due_id),
                item_code=code,
                content=content,
                duty_type=duty,
                period=stored_period(key, start, end),
                due=when.effective,
                nominal=when.nominal,
                unit_id=unit_id,
                unit_team=holder_id is None,
                holder_name=name,
                days_overdue=(today - when.effective).days,
                holder_id=holder_id,
            )
        )
    labels = await namesakes_apart(  # two of one name in a unit: 名（职务）, two holders
        session, holders=((o.unit_id, o.holder_id, o.holder_name) for o in found)
    )
    if labels:
        found = [
            replace(o, holder_name=labels[o.holder_id]) if o.holder_id in labels else o
            for o in found
        ]
    found.sort(key=lambda o: (o.due, o.item_code, o.holder_name or "", o.period.key))
    return found


def _id(value: int | None) -> int:
    assert value is not None
    return value
