"""Each holding's due items, period by period: created by the daily roll and the import, redated when 完成时限 or the working days change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import (
    Calendar,
    DueRule,
    Period,
    local_date,
    period_containing,
    period_of_key,
    periods_between,
)
from bot.services.calendar.workdays import load_calendar
from bot.services.ledger.outstanding import is_open
from storage.models import DueItem, Frequency, Holding, Item

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueItemChanges:
    """What one pass over the due items did."""

    created: int = 0
    redated: int = 0


async def ensure_due_items(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar | None = None,
) -> DueItemChanges:
    """Bring the due items of every active holding up to today (no commit).

    Creates each missing period's due item, from the holding's start (or its latest due item)
    to today, so periods missed while the bot was down are caught up; then moves the due date
    of every open due item whose 完成时限 changed (or, for the built-in items, whose working
    days changed). Done and closed items keep theirs. Without `calendar`, loads the current one.
    """
    await session.flush()
    today = local_date(now, zone)
    rule = DueRule(calendar if calendar is not None else await load_calendar(session))
    created = await _create_missing(session, today=today, now=now, zone=zone, rule=rule)
    redated = await redate_open(session, rule=rule)
    logger.info("due items on %s: %d created, %d due dates moved", today, created, redated)
    return DueItemChanges(created=created, redated=redated)


async def _create_missing(
    session: AsyncSession, *, today: date, now: datetime, zone: ZoneInfo, rule: DueRule
) -> int:
    latest = dict(
        (
            await session.exec(
                select(col(DueItem.holding_id), func.max(col(DueItem.period_end))).group_by(
                    col(DueItem.holding_id)
                )
            )
        ).all()
    )
    rows = (
        await session.exec(
            select(col(Holding.id), col(Holding.created_at), Item)
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(col(Holding.active).is_(True), col(Item.active).is_(True))
        )
    ).all()
    spans: dict[tuple[Frequency, str | None, str | None, date], list[tuple[Period, date]]] = {}
    wanted: list[tuple[int, Period, date]] = []
    for holding_id, created_at, item in rows:
        frequency, deadline, system = item.frequency, item.deadline, item.system
        assert holding_id is not None
        first = local_date(created_at, zone)
        latest_end = latest.get(holding_id)
        if latest_end is not None:
            first = max(first, latest_end + timedelta(days=1))
        found = spans.get((frequency, deadline, system, first))
        if found is None:
            periods = periods_between(frequency, first, today, deadline)
            current = period_containing(frequency, today, deadline)
            if current not in periods:
                periods.append(current)
            found = spans[(frequency, deadline, system, first)] = [
                (period, rule.nominal(period, deadline, system)) for period in periods
            ]
        wanted.extend((holding_id, period, due) for period, due in found)
    if not wanted:
        return 0
    keys = {period.key for _, period, _ in wanted}
    existing = set(
        (
            await session.exec(
                select(col(DueItem.holding_id), col(DueItem.period_key)).where(
                    col(DueItem.period_key).in_(keys)
                )
            )
        ).all()
    )
    new = [
        {
            "holding_id": holding_id,
            "period_key": period.key,
            "period_start": period.start,
            "period_end": period.end,
            "due_date": due,
            "created_at": now,
        }
        for holding_id, period, due in wanted
        if (holding_id, period.key) not in existing
    ]
    if new:
        await session.exec(insert(DueItem), params=new)
    return len(new)


async def redate_open(session: AsyncSession, *, rule: DueRule) -> int:
    """Move the due date (and a one-off's period end) of open items whose 完成时限 changed, or
    (built-in items, due N working days after their period) whose working days changed.

    Every holder of an item shares its dates in a period, so this compares one row per
    (item, period, stored dates) and updates in the database only the groups that moved.
    """
    items = {
        item_id: (frequency, deadline, system)
        for item_id, frequency, deadline, system in (
            await session.exec(
                select(
                    col(Item.id), col(Item.frequency), col(Item.deadline), col(Item.system)
                ).where(col(Item.active).is_(True))
            )
        ).all()
    }
    groups = (
        await session.exec(
            select(
                col(Holding.item_id),
                col(DueItem.period_key),
                col(DueItem.due_date),
                col(DueItem.period_end),
            )
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .where(is_open(), col(Holding.active).is_(True))
            .distinct()
        )
    ).all()
    moves: dict[tuple[int, str], tuple[date, date]] = {}
    for item_id, key, stored_due, stored_end in groups:
        if item_id not in items:
            continue
        frequency, deadline, system = items[item_id]
        period = period_of_key(key, deadline)
        if period is None or period.frequency is not frequency:
            continue  # the item's 频次 changed since: this period keeps its dates
        due = rule.nominal(period, deadline, system)
        if (due, period.end) != (stored_due, stored_end):
            moves[(item_id, key)] = (due, period.end)
    moved = 0
    for (item_id, key), (due, end) in sorted(moves.items()):
        holders = select(col(Holding.id)).where(
            col(Holding.item_id) == item_id, col(Holding.active).is_(True)
        )
        result = await session.exec(
            update(DueItem)
            .where(
                col(DueItem.holding_id).in_(holders),
                col(DueItem.period_key) == key,
                is_open(),
                or_(col(DueItem.due_date) != due, col(DueItem.period_end) != end),
            )
            .values(due_date=due, period_end=end)
        )
        moved += result.rowcount
    return moved


async def roll_due_items(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar | None = None,
) -> int:
    """The daily roll: bring the due items up to today (missed periods too), then commit."""
    changes = await ensure_due_items(session, now=now, zone=zone, calendar=calendar)
    await session.commit()
    return changes.created
