"""The ledger read side: a holder's or a unit's due items as of today, with status.

Lists read the stored due items: the current period's, plus every outstanding one of earlier
periods (bot.services.ledger.outstanding decides what is outstanding), overdue first; each
item's state is bot.services.ledger.counting's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import ONCE_KEY, Period, local_date
from bot.services.calendar.workdays import WorkCalendar
from bot.services.directory.identity import Viewer
from bot.services.ledger.counting import DueRow, DueState, rows_where
from bot.services.ledger.outstanding import is_outstanding
from storage.models import DueItem, DutyType, Frequency, Holding, Item, Role

DUE_SOON_DAYS = 7


class Status(StrEnum):
    """Where a due item stands today."""

    DONE = "done"
    CLOSED = "closed"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"


ORDER = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OPEN: 2, Status.CLOSED: 3, Status.DONE: 4}


@dataclass(frozen=True)
class DueLine:
    """One due item of one holder, as a list shows it."""

    item_code: str
    content: str
    duty_type: DutyType
    frequency: Frequency
    period: Period
    due: date  # the effective due date (顺延 applied): status and days left count from it
    nominal: date  # the date its rule names (DueItem.due_date)
    status: Status
    days_left: int
    unit_team: bool
    holder_name: str | None
    done_on: date | None
    current: bool = True  # False: an outstanding item of an earlier period
    closed_reason: str | None = None
    due_item_id: int = 0


@dataclass(frozen=True)
class Ledger:
    """A list of due lines as of one day."""

    today: date
    lines: list[DueLine]

    def count(self, status: Status) -> int:
        return sum(1 for line in self.lines if line.status is status)

    @property
    def earlier(self) -> int:
        """How many lines are outstanding items of earlier periods."""
        return sum(1 for line in self.lines if not line.current)


def mine(viewer: Viewer) -> ColumnElement[bool]:
    """The holdings a viewer answers for: their own, and as 第一责任人 or 联络员 their unit team's."""
    own: ColumnElement[bool] = col(Holding.person_id) == viewer.person_id
    if Role.FIRST in viewer.roles or Role.SECRETARY in viewer.roles:
        team = and_(col(Holding.person_id).is_(None), col(Holding.unit_id) == viewer.unit_id)
        return or_(own, team)
    return own


async def my_list(
    session: AsyncSession,
    *,
    viewer: Viewer,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> Ledger:
    """The viewer's own items, plus their unit's 单位班子 items if they are its 第一责任人 or 联络员."""
    return await _ledger(session, where=mine(viewer), now=now, zone=zone, calendar=calendar)


async def unit_list(
    session: AsyncSession,
    *,
    unit_id: int,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> Ledger:
    """Every item held in the unit (each person's and the 单位班子's), for its 联络员."""
    where = col(Holding.unit_id) == unit_id
    return await _ledger(session, where=where, now=now, zone=zone, calendar=calendar)


def in_current_period(today: date) -> ColumnElement[bool]:
    """The due item's period contains `today` (a one-off item's single period always does)."""
    return and_(
        col(DueItem.period_start) <= today,
        or_(col(DueItem.period_end) >= today, col(DueItem.period_key) == ONCE_KEY),
    )


async def _ledger(
    session: AsyncSession,
    *,
    where: ColumnElement[bool],
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None,
) -> Ledger:
    today = local_date(now, zone)
    rows = await rows_where(
        session,
        where=and_(
            where,
            col(Holding.active).is_(True),
            col(Item.active).is_(True),
            or_(in_current_period(today), is_outstanding(today)),
        ),
        today=today,
        calendar=calendar,
    )
    lines = [
        DueLine(
            item_code=row.item_code,
            content=row.content,
            duty_type=row.duty_type,
            frequency=row.frequency,
            period=row.period,
            due=row.due,
            nominal=row.nominal,
            status=_status(row, today),
            days_left=(row.due - today).days,
            unit_team=row.person_id is None,
            holder_name=None if row.person_id is None else row.holder,
            done_on=row.done_on,
            current=row.period.key == ONCE_KEY or row.period.end >= today,
            closed_reason=row.closed_reason,
            due_item_id=row.due_item_id,
        )
        for row in rows
    ]
    lines.sort(
        key=lambda line: (
            ORDER[line.status],
            line.due,
            line.item_code,
            line.holder_name or "",
            line.period.key,
        )
    )
    return Ledger(today=today, lines=lines)


def _status(row: DueRow, today: date) -> Status:
    """The ledger's state (ledger.counting), with 即将到期 split out of the open ones."""
    if row.state is DueState.OPEN and (row.due - today).days <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status(row.state.value)
