"""Each holding's due items, period by period: created by the daily roll and the import, redated when 完成时限 or the working days change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
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
ROLL_CHUNK = 2000  # new due items per transaction in the daily roll


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
    commit_every: int | None = None,
) -> DueItemChanges:
    """Bring the due items of every active holding up to today (no commit).

    Creates each missing period's due item, from the holding's start (or its latest due item)
    to today, so periods missed while the bot was down are caught up; then moves the due date
    of every open due item whose 完成时限 changed (or, for the built-in items, whose working
    days changed). Done and closed items keep theirs. Without `calendar`, loads the current one.
    With `commit_every` (the daily roll) the new rows are written that many per transaction,
    each idempotent (ON CONFLICT DO NOTHING): the write lock is held for moments, and a roll
    killed halfway is finished by the next.
    """
    await session.flush()
    today = local_date(now, zone)
    rule = DueRule(calendar if calendar is not None else await load_calendar(session))
    created = await _create_missing(
        session, today=today, now=now, zone=zone, rule=rule, commit_every=commit_every
    )
    redated = await redate_open(session, rule=rule)
    logger.info("due items on %s: %d created, %d due dates moved", today, created, redated)
    return DueItemChanges(created=created, redated=redated)


async def _create_missing(
    session: AsyncSession,
    *,
    today: date,
    now: datetime,
    zone: ZoneInfo,
    rule: DueRule,
    commit_every: int | None,
) -> int:
    latest: dict[int, date] = {}
    ends = await session.stream(  # in slices: the event loop answers chat in between
        sa_select(col(DueItem.holding_id), func.max(col(DueItem.period_end))).group_by(
            col(DueItem.holding_id)
        )
    )
    async for slice_ in ends.partitions(5000):
        latest.update((holding_id, end) for holding_id, end in slice_)
    rows: list[Any] = []  # (holding id, created at, frequency, deadline, system)
    held = await session.stream(
        sa_select(
            col(Holding.id),
            col(Holding.created_at),
            col(Item.frequency),
            col(Item.deadline),
            col(Item.system),
        )
        .join(Item, col(Item.id) == col(Holding.item_id))
        .where(col(Holding.active).is_(True), col(Item.active).is_(True))
    )
    async for chunk in held.partitions(5000):
        rows.extend(chunk)
    spans: dict[tuple[Frequency, str | None, str | None, date], list[tuple[Period, date]]] = {}
    wanted: list[tuple[int, Period, date]] = []
    for holding_id, created_at, frequency, deadline, system in rows:
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
    existing: set[tuple[int, str]] = set()
    stored = await session.stream(
        sa_select(col(DueItem.holding_id), col(DueItem.period_key)).where(
            col(DueItem.period_key).in_(keys)
        )
    )
    async for pairs in stored.partitions(5000):
        existing.update((holding_id, key) for holding_id, key in pairs)
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
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (  # a roll or an import writing the same rows meanwhile: theirs stand
        upsert(DueItem)
        .on_conflict_do_nothing(index_elements=["holding_id", "period_key"])
        .returning(col(DueItem.id))
    )
    size = commit_every or len(new) or 1
    created = 0
    for start in range(0, len(new), size):
        created += len((await session.exec(statement, params=new[start : start + size])).all())
        if commit_every:
            await session.commit()
    return created


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
    changes = await ensure_due_items(
        session, now=now, zone=zone, calendar=calendar, commit_every=ROLL_CHUNK
    )
    await session.commit()
    return changes.created
