"""Import a directory snapshot (units, people, items) in one transaction, then sync holdings."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.bindings import move_audits, plan_bindings, release_bindings
from bot.services.importing.check import check_tables
from bot.services.importing.holdings import HeldItem, Holder, expected_holdings, sync_holdings
from bot.services.importing.plan import ImportPlan, ImportSummary
from bot.services.importing.read import RawTables, read_workbook
from bot.services.importing.upsert import Upsert, by_code
from bot.services.ledger.builtin import RESERVED_CODES, ensure_system_items
from bot.services.ledger.due_items import ensure_due_items
from bot.services.oversight.assign import is_assigned
from storage.models import AuditEntry, Item, Person, PersonRole, Role, ScopeKind, Unit

__all__ = ["ImportSummary", "Progress", "ensure_due_items", "import_directory"]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], Awaitable[None]]
PROGRESS_EVERY = 500


async def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if done % PROGRESS_EVERY == 0:
        await asyncio.sleep(0)  # long loops let other chats' updates run between rows
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        await progress(stage, done, total)


async def import_directory(
    session: AsyncSession,
    *,
    tables: RawTables,
    now: datetime,
    zone: ZoneInfo,
    actor_person_id: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Validate the tables (in a worker thread: CPU-bound) and apply them as the new directory;
    commit once, or write nothing."""
    plan = await asyncio.to_thread(check_tables, tables)
    await _report(progress, "check", 1, 1)
    try:
        summary = await _apply(session, plan, tables, now, zone, progress)
        detail = {
            kind: dataclasses.asdict(getattr(summary, kind))
            for kind in ("units", "people", "items", "holdings")
        }
        detail["due_items"] = {
            "created": summary.due_items_created,
            "redated": summary.due_dates_changed,
        }
        session.add(
            AuditEntry(
                at=now,
                actor_person_id=actor_person_id,
                action="import",
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
            )
        )
        session.add_all(
            move_audits(summary.bindings_moved, now=now, actor_person_id=actor_person_id)
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    logger.info("import done: %s", summary)
    return summary


async def _apply(
    session: AsyncSession,
    plan: ImportPlan,
    tables: RawTables,
    now: datetime,
    zone: ZoneInfo,
    progress: Progress | None,
) -> ImportSummary:
    units = Upsert(await by_code(session, Unit), now)
    people = Upsert(await by_code(session, Person), now)
    items = Upsert(await by_code(session, Item), now)
    moves = plan_bindings(plan, source=tables.people.source, existing=people.existing)
    await release_bindings(session, moves=moves, people=people.existing, now=now)

    for done, u in enumerate(plan.units, start=1):
        units.put(Unit, u.code, {"name": u.name, "category": u.category})
        await _report(progress, "units", done, len(plan.units))
    session.add_all(units.new)
    await session.flush()
    for u in plan.units:
        parent = units.existing[u.parent_code].id if u.parent_code else None
        units.change(u.code, {"parent_id": parent})
    units.deactivate_missing({u.code for u in plan.units})

    roles = await _roles(session)
    role_changes: list[tuple[str, set[Role]]] = []
    for done, p in enumerate(plan.people, start=1):
        values = {
            "name": p.name,
            "unit_id": units.existing[p.unit_code].id,
            "position": p.position,
        }
        known = people.existing.get(p.code)
        if p.telegram_id is not None and (known is None or known.telegram_id != p.telegram_id):
            values.update(telegram_id=p.telegram_id, bound_at=now)
        have = roles.get(known.id, set()) if known is not None else set()
        if set(p.roles) != have:
            role_changes.append((p.code, set(p.roles)))
        people.put(Person, p.code, values, force=set(p.roles) != have)
        await _report(progress, "people", done, len(plan.people))
    session.add_all(people.new)
    await session.flush()
    await _replace_roles(session, people.existing, roles, role_changes)
    people.deactivate_missing({p.code for p in plan.people})

    for done, i in enumerate(plan.items, start=1):
        owner = units.existing[i.owner_unit_code].id if i.owner_unit_code else None
        scope_person = people.existing[i.scope_person_code].id if i.scope_person_code else None
        values = {
            "list_kind": i.list_kind,
            "duty_type": i.duty_type,
            "scope_kind": i.scope_kind,
            "scope_role": i.scope_role,
            "scope_person_id": scope_person,
            "content": i.content,
            "measures": i.measures,
            "timeline": i.timeline,
            "frequency": i.frequency,
            "deadline": i.deadline,
            "lead": i.lead,
            "owner_unit_id": owner,
            "co_unit_codes": i.co_unit_codes,
        }
        items.put(Item, i.code, values)
        await _report(progress, "items", done, len(plan.items))
    session.add_all(items.new)
    imported = {i.code for i in plan.items}
    assigned = [  # /assign's tasks are not in the file: they stay, held as assigned
        row for code, row in items.existing.items() if code not in imported and is_assigned(row)
    ]
    items.deactivate_missing(imported | RESERVED_CODES | {row.code for row in assigned})
    await session.flush()
    built_in = await ensure_system_items(session, now=now)

    holders = [
        Holder(people.existing[p.code].id, people.existing[p.code].unit_id, frozenset(p.roles))
        for p in plan.people
    ]
    held = [
        HeldItem(
            items.existing[i.code].id,
            i.scope_kind,
            i.scope_role,
            people.existing[i.scope_person_code].id if i.scope_person_code else None,
        )
        for i in plan.items
    ]
    held += [HeldItem(item_id, ScopeKind.OFFICIALS, None, None) for item_id in built_in.values()]
    held += [
        HeldItem(row.id, ScopeKind.PERSON, None, row.scope_person_id)
        for row in assigned
        if row.active and row.id is not None
    ]
    expected = expected_holdings(held, holders)
    holdings = await sync_holdings(session, expected=expected, now=now)
    await _report(progress, "holdings", len(expected), len(expected))
    due = await ensure_due_items(session, now=now, zone=zone)
    await _report(progress, "due_items", due.created, due.created)
    return ImportSummary(
        units=units.counts,
        people=people.counts,
        items=items.counts,
        holdings=holdings,
        due_items_created=due.created,
        due_dates_changed=due.redated,
        warnings=plan.warnings,
        bindings_moved=moves,
    )


async def _roles(session: AsyncSession) -> dict[int | None, set[Role]]:
    roles: dict[int | None, set[Role]] = {}
    for person_id, role in (
        await session.exec(select(col(PersonRole.person_id), col(PersonRole.role)))
    ).all():
        roles.setdefault(person_id, set()).add(role)
    return roles


async def _replace_roles(
    session: AsyncSession,
    people: dict[str, Person],
    current: dict[int | None, set[Role]],
    changes: list[tuple[str, set[Role]]],
) -> None:
    gone: list[tuple[int, Role]] = []
    added: list[dict[str, Any]] = []
    for code, wanted in changes:
        person_id = people[code].id
        assert person_id is not None
        have = current.get(person_id, set())
        gone.extend((person_id, role) for role in have - wanted)
        added.extend({"person_id": person_id, "role": role} for role in wanted - have)
    for person_id, role in gone:
        await session.exec(
            delete(PersonRole).where(
                col(PersonRole.person_id) == person_id, col(PersonRole.role) == role
            )
        )
    if added:
        await session.exec(insert(PersonRole), params=added)


async def import_workbook(
    session: AsyncSession,
    *,
    data: bytes,
    now: datetime,
    zone: ZoneInfo,
    actor_person_id: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """An .xlsx an admin sent in the chat: the same checks and all-or-nothing write as the CLI
    (the workbook is parsed in a worker thread)."""
    return await import_directory(
        session,
        tables=await asyncio.to_thread(read_workbook, data),
        now=now,
        zone=zone,
        actor_person_id=actor_person_id,
        progress=progress,
    )
