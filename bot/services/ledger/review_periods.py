"""Which 季度自查 / 半年报告 period a holder is offered (owed ones first), and its built-in due item."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import (
    SYSTEM_REPORT,
    SYSTEM_SELFCHECK,
    Period,
    period_containing,
    period_of_key,
)
from bot.services.ledger.counting import DueState, rows_where
from storage.models import DueItem, Frequency, Holding, Item

OFFER_PREVIOUS_DAYS = 15  # in a period's first 15 days, the previous one is offered too
# the period a built-in item (季度自查 "selfcheck", 半年报告 "report") is handed in for
SYSTEM_FREQUENCY = {SYSTEM_SELFCHECK: Frequency.QUARTERLY, SYSTEM_REPORT: Frequency.HALF_YEARLY}
OWED = (DueState.OPEN, DueState.OVERDUE)  # not done, not closed


def periods_to_offer(frequency: Frequency, today: date) -> list[Period]:
    """The current quarter or half-year; in its first 15 days the previous one first (its
    季度自查 / 半年报告 is due then)."""
    current = period_containing(frequency, today)
    if (today - current.start).days < OFFER_PREVIOUS_DAYS:
        return [period_containing(frequency, current.start - timedelta(days=1)), current]
    return [current]


async def offered_periods(
    session: AsyncSession, *, person_id: int, system: str, today: date
) -> list[Period]:
    """The quarters (system "selfcheck") or half-years ("report") /selfcheck or /report offers,
    oldest first: every ended one whose 季度自查 / 半年报告 the person still owes by the ledger
    rule (not done, not closed: overdue, or due soon), then periods_to_offer's (the previous one
    in a period's first 15 days, the current one)."""
    rows = await rows_where(
        session,
        where=and_(
            col(Holding.person_id) == person_id,
            col(Holding.active).is_(True),
            col(Item.active).is_(True),
            col(Item.system) == system,
            col(DueItem.period_end) < today,
        ),
        today=today,
    )
    found = {row.period.key: row.period for row in rows if row.state in OWED}
    for period in periods_to_offer(SYSTEM_FREQUENCY[system], today):
        found.setdefault(period.key, period)
    return sorted(found.values(), key=lambda period: period.start)


async def period_to_open(
    session: AsyncSession, *, person_id: int, system: str, period_key: str, today: date
) -> Period | None:
    """The period a self-check or report may be opened for: one offered now (offered_periods),
    or one whose 季度自查 / 半年报告 the person holds (a reminder named it); None otherwise."""
    for period in await offered_periods(session, person_id=person_id, system=system, today=today):
        if period.key == period_key:
            return period
    held = await system_due_item(session, person_id=person_id, system=system, period_key=period_key)
    return None if held is None else period_of_key(period_key)


async def system_due_item(
    session: AsyncSession, *, person_id: int, system: str, period_key: str
) -> int | None:
    """The person's due item of a built-in item (季度自查 "selfcheck", 半年报告 "report") for a period."""
    query = (
        select(DueItem.id)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .where(
            col(Holding.person_id) == person_id,
            col(Item.system) == system,
            col(DueItem.period_key) == period_key,
        )
    )
    return (await session.exec(query)).first()
