"""Who holds which item (synced from an import) and each holding's due items, period by period."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.import_plan import KindCounts
from bot.services.outstanding import is_open
from bot.services.periods import (
    REPORT_DUE_AFTER,
    SELFCHECK_DUE_AFTER,
    Calendar,
    DueRule,
    Period,
    local_date,
    period_containing,
    period_of_key,
    periods_between,
)
from bot.services.workdays import load_calendar
from storage.models import OFFICIAL_ROLES, DueItem, Frequency, Holding, Item, Role, ScopeKind

logger = logging.getLogger(__name__)

# (item_id, person_id, unit_id of a 单位班子 copy): a person's copy has no unit in its key
HoldKey = tuple[int, int | None, int | None]


@dataclass(frozen=True)
class Holder:
    """An active person as the holdings sync sees them."""

    person_id: int
    unit_id: int
    roles: frozenset[Role]


@dataclass(frozen=True)
class HeldItem:
    """An active item and whom it applies to."""

    item_id: int
    scope_kind: ScopeKind
    scope_role: Role | None
    scope_person_id: int | None


def expected_holdings(items: Iterable[HeldItem], holders: Iterable[Holder]) -> dict[HoldKey, int]:
    """Every holding the items imply, mapped to the unit it belongs to."""
    people = list(holders)
    unit_of = {holder.person_id: holder.unit_id for holder in people}
    team_units = sorted({h.unit_id for h in people if Role.FIRST in h.roles})
    expected: dict[HoldKey, int] = {}
    for item in items:
        if item.scope_kind is ScopeKind.ROLE:
            for holder in people:
                if item.scope_role in holder.roles:
                    expected[(item.item_id, holder.person_id, None)] = holder.unit_id
        elif item.scope_kind is ScopeKind.OFFICIALS:
            for holder in people:
                if holder.roles & OFFICIAL_ROLES:
                    expected[(item.item_id, holder.person_id, None)] = holder.unit_id
        elif item.scope_kind is ScopeKind.UNIT_TEAM:
            for unit_id in team_units:
                expected[(item.item_id, None, unit_id)] = unit_id
        elif item.scope_person_id is not None and item.scope_person_id in unit_of:
            expected[(item.item_id, item.scope_person_id, None)] = unit_of[item.scope_person_id]
    return expected


async def sync_holdings(
    session: AsyncSession, *, expected: dict[HoldKey, int], now: datetime
) -> KindCounts:
    """Add missing holdings, reactivate or move returning ones, deactivate the rest (no commit).

    A reactivated holding's created_at becomes `now`: due items start again from there.
    """
    counts = KindCounts()
    changes: list[dict[str, Any]] = []
    present: set[HoldKey] = set()
    for active in (True, False):
        query = select(
            col(Holding.id), col(Holding.item_id), col(Holding.person_id), col(Holding.unit_id)
        ).where(col(Holding.active).is_(active))
        rows = (await session.exec(query)).all()
        before = len(changes)
        _compare(rows, active, expected, present, changes, counts)
        if not active:  # a returning holding starts anew: no due items for its time away
            for change in changes[before:]:
                change["created_at"] = now
    new = [
        {"item_id": k[0], "person_id": k[1], "unit_id": unit, "active": True, "created_at": now}
        for k, unit in expected.items()
        if k not in present
    ]
    counts.added = len(new)
    if changes:
        await session.exec(update(Holding), params=changes)
    if new:
        await session.exec(insert(Holding), params=new)
    logger.debug("holdings: %s", counts)
    return counts


def _compare(
    rows: Iterable[tuple[int | None, int, int | None, int]],
    active: bool,
    expected: dict[HoldKey, int],
    present: set[HoldKey],
    changes: list[dict[str, Any]],
    counts: KindCounts,
) -> None:
    for holding_id, item_id, person_id, unit_id in rows:
        key: HoldKey = (item_id, person_id, None if person_id is not None else unit_id)
        present.add(key)
        wanted_unit = expected.get(key)
        if wanted_unit is None:
            if active:
                changes.append({"id": holding_id, "active": False, "unit_id": unit_id})
                counts.deactivated += 1
        elif not active or wanted_unit != unit_id:
            changes.append({"id": holding_id, "active": True, "unit_id": wanted_unit})
            counts.updated += 1
        else:
            counts.unchanged += 1


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
    selfcheck_after: int = SELFCHECK_DUE_AFTER,
    report_after: int = REPORT_DUE_AFTER,
) -> DueItemChanges:
    """Bring the due items of every active holding up to today (no commit).

    Creates each missing period's due item, from the holding's start (or its latest due item)
    to today, so periods missed while the bot was down are caught up; then moves the due date
    of every open due item whose 完成时限 changed (or, for the built-in items, whose working
    days changed). Done and closed items keep theirs. Without `calendar`, loads the current one.
    """
    await session.flush()
    today = local_date(now, zone)
    rule = DueRule(
        calendar if calendar is not None else await load_calendar(session),
        selfcheck_after,
        report_after,
    )
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
    selfcheck_after: int = SELFCHECK_DUE_AFTER,
    report_after: int = REPORT_DUE_AFTER,
) -> int:
    """The daily roll: bring the due items up to today (missed periods too), then commit."""
    changes = await ensure_due_items(
        session,
        now=now,
        zone=zone,
        calendar=calendar,
        selfcheck_after=selfcheck_after,
        report_after=report_after,
    )
    await session.commit()
    return changes.created
