"""Who holds which item (synced from an import) and each holding's due item this period."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.import_plan import KindCounts
from bot.services.periods import Period, due_date, local_date, period_containing
from storage.models import DueItem, Frequency, Holding, Item, Role, ScopeKind

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
        elif item.scope_kind is ScopeKind.UNIT_TEAM:
            for unit_id in team_units:
                expected[(item.item_id, None, unit_id)] = unit_id
        elif item.scope_person_id is not None and item.scope_person_id in unit_of:
            expected[(item.item_id, item.scope_person_id, None)] = unit_of[item.scope_person_id]
    return expected


async def sync_holdings(
    session: AsyncSession, *, expected: dict[HoldKey, int], now: datetime
) -> KindCounts:
    """Add missing holdings, reactivate or move returning ones, deactivate the rest (no commit)."""
    counts = KindCounts()
    changes: list[dict[str, Any]] = []
    present: set[HoldKey] = set()
    for active in (True, False):
        query = select(
            col(Holding.id), col(Holding.item_id), col(Holding.person_id), col(Holding.unit_id)
        ).where(col(Holding.active).is_(active))
        rows = (await session.exec(query)).all()
        _compare(rows, active, expected, present, changes, counts)
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


async def ensure_due_items(session: AsyncSession, *, now: datetime, zone: ZoneInfo) -> int:
    """Create the current period's due item of every active holding that lacks one (no commit)."""
    await session.flush()
    today = local_date(now, zone)
    rows = (
        await session.exec(
            select(col(Holding.id), col(Item.frequency), col(Item.deadline))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(col(Holding.active).is_(True), col(Item.active).is_(True))
        )
    ).all()
    periods: dict[tuple[Frequency, str | None], tuple[Period, date]] = {}
    wanted: list[tuple[int, Period, date]] = []
    for holding_id, frequency, deadline in rows:
        found = periods.get((frequency, deadline))
        if found is None:
            period = period_containing(frequency, today, deadline)
            found = periods[(frequency, deadline)] = (period, due_date(period, deadline))
        assert holding_id is not None
        wanted.append((holding_id, *found))
    if not wanted:
        return 0
    keys = {period.key for period, _due in periods.values()}
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
    logger.info("due items: %d created for %s", len(new), today)
    return len(new)


async def roll_due_items(session: AsyncSession, *, now: datetime, zone: ZoneInfo) -> int:
    """The daily roll: ensure this period's due items exist, then commit."""
    created = await ensure_due_items(session, now=now, zone=zone)
    await session.commit()
    return created
