"""Who holds which item: the holdings an import implies, synced (due items: bot.services.ledger.due_items)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.plan import KindCounts
from storage.models import OFFICIAL_ROLES, Holding, Role, ScopeKind

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
