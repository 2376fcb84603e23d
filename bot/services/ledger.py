"""The ledger read side: a holder's items for the current period, and a unit's, with status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.identity import Viewer
from bot.services.periods import Period, due_date, local_date, period_containing
from storage.models import DueItem, DutyType, Frequency, Holding, Item, Person, Record, Role

DUE_SOON_DAYS = 7


class Status(StrEnum):
    """Where a due item stands today."""

    DONE = "done"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"


@dataclass(frozen=True)
class DueLine:
    """One item of one holder in its current period, as a list shows it."""

    item_code: str
    content: str
    duty_type: DutyType
    frequency: Frequency
    period: Period
    due: date
    status: Status
    days_left: int
    unit_team: bool
    holder_name: str | None
    done_on: date | None


@dataclass(frozen=True)
class Ledger:
    """A list of due lines as of one day."""

    today: date
    lines: list[DueLine]

    def count(self, status: Status) -> int:
        return sum(1 for line in self.lines if line.status is status)


async def my_list(
    session: AsyncSession, *, viewer: Viewer, now: datetime, zone: ZoneInfo
) -> Ledger:
    """The viewer's own items, plus their unit's 单位班子 items if they are its 第一责任人 or 联络员."""
    mine: ColumnElement[bool] = col(Holding.person_id) == viewer.person_id
    if Role.FIRST in viewer.roles or Role.SECRETARY in viewer.roles:
        team = and_(col(Holding.person_id).is_(None), col(Holding.unit_id) == viewer.unit_id)
        mine = or_(mine, team)
    return await _ledger(session, where=mine, now=now, zone=zone)


async def unit_list(
    session: AsyncSession, *, unit_id: int, now: datetime, zone: ZoneInfo
) -> Ledger:
    """Every item held in the unit (each person's and the 单位班子's), for its 联络员."""
    return await _ledger(session, where=col(Holding.unit_id) == unit_id, now=now, zone=zone)


async def _ledger(
    session: AsyncSession, *, where: ColumnElement[bool], now: datetime, zone: ZoneInfo
) -> Ledger:
    today = local_date(now, zone)
    rows = (
        await session.exec(
            select(Holding, Item, Person.name)
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Person, col(Person.id) == col(Holding.person_id), isouter=True)
            .where(where, col(Holding.active).is_(True), col(Item.active).is_(True))
        )
    ).all()
    periods = {
        holding.id: period_containing(item.frequency, today, item.deadline)
        for holding, item, _ in rows
    }
    done = await _done_dates(session, periods)
    lines = []
    for holding, item, holder_name in rows:
        period = periods[holding.id]
        due = due_date(period, item.deadline)
        done_on = done.get((holding.id, period.key))
        lines.append(
            DueLine(
                item_code=item.code,
                content=item.content,
                duty_type=item.duty_type,
                frequency=item.frequency,
                period=period,
                due=due,
                status=_status(done_on, due, today),
                days_left=(due - today).days,
                unit_team=holding.person_id is None,
                holder_name=holder_name,
                done_on=done_on,
            )
        )
    order = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OPEN: 2, Status.DONE: 3}
    lines.sort(
        key=lambda line: (order[line.status], line.due, line.item_code, line.holder_name or "")
    )
    return Ledger(today=today, lines=lines)


async def _done_dates(
    session: AsyncSession, periods: dict[int | None, Period]
) -> dict[tuple[int | None, str], date]:
    """(holding, period key) → the first day a record was made for that due item."""
    if not periods:
        return {}
    keys = {period.key for period in periods.values()}
    rows = (
        await session.exec(
            select(col(DueItem.holding_id), col(DueItem.period_key), col(Record.happened_on))
            .join(Record, col(Record.due_item_id) == col(DueItem.id))
            .where(col(DueItem.holding_id).in_(list(periods)), col(DueItem.period_key).in_(keys))
        )
    ).all()
    done: dict[tuple[int | None, str], date] = {}
    for holding_id, key, happened_on in rows:
        if periods[holding_id].key == key:
            previous = done.get((holding_id, key))
            done[(holding_id, key)] = min(previous, happened_on) if previous else happened_on
    return done


def _status(done_on: date | None, due: date, today: date) -> Status:
    if done_on is not None:
        return Status.DONE
    if today > due:
        return Status.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status.OPEN
