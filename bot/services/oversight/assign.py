"""交办督办: an admin assigns a follow-up task to one person of a unit with a deadline; it is tracked to closure.

An assigned task is an Item like any other (code JB001…, 个性, one-off, 完成时限 = the
deadline, 工作措施 "交办来源：…"), held by the chosen person (the unit's 第一责任人 by default);
its due item is made at once, so it is listed, reminded by the ladder, recorded and exported
like every item. A directory import keeps it (bot.services.importing.apply). Item.system stays
empty: the rest of the bot reads a non-empty system as a built-in 季度自查/半年报告 (its
prompts, its own commands), so an assigned task is known by its code and 工作措施 mark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import effective_due, local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.ledger.due_items import ensure_due_items
from bot.services.oversight.assign_parse import SOURCE_MARK, AssignProblem, Task
from bot.services.oversight.assign_store import (
    CODE,
    CODE_PREFIX,
    add_with_code,
    consume_draft,
    mark_made,
)
from storage.models import (
    OFFICIAL_ROLES,
    AuditEntry,
    DutyType,
    Frequency,
    Holding,
    Item,
    ListKind,
    Person,
    PersonRole,
    Role,
    ScopeKind,
    Unit,
)


@dataclass(frozen=True)
class Choice:
    """A unit or a person offered on a button."""

    id: int
    code: str
    name: str
    detail: str = ""  # a person's roles


@dataclass(frozen=True)
class Assigned:
    """The item made for an assigned task and whom it went to."""

    item_code: str
    content: str
    deadline: date  # as the admin typed it (nominal)
    due: date  # effective: 顺延 to the next working day, as /assigned and /my show it
    source: str
    holder_id: int
    holder_code: str
    holder_name: str
    unit_name: str
    telegram_id: int | None


def is_assigned(item: Item) -> bool:
    """An item made by /assign (its code JB… and its 工作措施 naming the source)."""
    return (
        item.system is None
        and bool(CODE.match(item.code))
        and item.measures.startswith(SOURCE_MARK)
    )


def assigned_items() -> ColumnElement[bool]:
    """The same test in SQL (a JB code, the source mark)."""
    return and_(
        col(Item.code).like(f"{CODE_PREFIX}%"),
        col(Item.measures).like(f"{SOURCE_MARK}%"),
        col(Item.system).is_(None),
    )


async def units(session: AsyncSession) -> list[Choice]:
    """Active units with at least one active official, in code order."""
    rows = (
        await session.exec(
            select(Unit)
            .where(
                col(Unit.active).is_(True),
                col(Unit.id).in_(
                    select(col(Person.unit_id))
                    .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
                    .where(col(Person.active).is_(True), col(PersonRole.role).in_(OFFICIAL_ROLES))
                ),
            )
            .order_by(col(Unit.code))
        )
    ).all()
    return [Choice(u.id, u.code, u.name) for u in rows if u.id is not None]


async def holders(session: AsyncSession, *, unit_id: int) -> list[Choice]:
    """The unit's active officials, 第一责任人 first (the default holder), then by code."""
    rows = (
        await session.exec(
            select(Person, col(PersonRole.role))
            .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
            .where(col(Person.unit_id) == unit_id, col(Person.active).is_(True))
        )
    ).all()
    roles: dict[int, set[Role]] = {}
    people: dict[int, Person] = {}
    for person, role in rows:
        assert person.id is not None
        people[person.id] = person
        roles.setdefault(person.id, set()).add(role)
    order = list(Role)
    found = [
        Choice(pid, p.code, p.name, "、".join(r.value for r in sorted(roles[pid], key=order.index)))
        for pid, p in people.items()
        if roles[pid] & OFFICIAL_ROLES
    ]
    found.sort(key=lambda c: (Role.FIRST.value not in c.detail, c.code))
    return found


async def unit_and_holder(
    session: AsyncSession, *, unit_id: int | None = None, person_id: int | None = None
) -> tuple[Choice, Choice | None]:
    """The unit (by id, or the person's) and, given a person id, that person as one of its
    holders; AssignProblem "holder" when the unit is gone or the person is not its official."""
    if person_id is not None:
        person = await session.get(Person, person_id)
        unit_id = person.unit_id if person is not None else None
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.id is None or not unit.active:
        raise AssignProblem("holder")
    if person_id is None:
        return Choice(unit.id, unit.code, unit.name), None
    found = next((c for c in await holders(session, unit_id=unit.id) if c.id == person_id), None)
    if found is None:
        raise AssignProblem("holder")
    return Choice(unit.id, unit.code, unit.name), found


async def by_codes(session: AsyncSession, *, unit_code: str, person_code: str) -> tuple[int, int]:
    """(unit id, person id) the prompt's codes name; AssignProblem "holder" if either is gone."""
    person = (await session.exec(select(Person).where(col(Person.code) == person_code))).first()
    unit = (await session.exec(select(Unit).where(col(Unit.code) == unit_code))).first()
    if person is None or unit is None or person.unit_id != unit.id or person.id is None:
        raise AssignProblem("holder")
    return unit.id, person.id


async def assign_task(
    session: AsyncSession,
    *,
    unit_id: int,
    person_id: int,
    task: Task,
    actor_person_id: int,
    now: datetime,
    zone: ZoneInfo,
    draft_id: int | None = None,
) -> Assigned:
    """Make the item, its holding and due item, audit it, commit. The holder must be an active
    official of the unit (AssignProblem "holder" otherwise). Given the prompt's draft, only the
    reply that consumes it makes the item (AssignProblem "used" for any other)."""
    unit = await session.get(Unit, unit_id)
    choice = next((c for c in await holders(session, unit_id=unit_id) if c.id == person_id), None)
    person = await session.get(Person, person_id)
    if unit is None or not unit.active or choice is None or person is None:
        raise AssignProblem("holder")
    if task.deadline < local_date(now, zone):
        raise AssignProblem("past", f"{task.deadline}")
    if draft_id is not None and not await consume_draft(session, draft_id=draft_id):
        raise AssignProblem("used")
    duty = DutyType.SUPERVISION if Role.DISCIPLINE.value in choice.detail else DutyType.MAIN
    if Role.FIRST.value in choice.detail:
        duty = DutyType.MAIN

    def build(code: str) -> Item:
        return Item(
            code=code,
            list_kind=ListKind.INDIVIDUAL,
            duty_type=duty,
            scope_kind=ScopeKind.PERSON,
            scope_person_id=person_id,
            content=task.content,
            measures=f"{SOURCE_MARK}{task.source}",
            timeline=f"{task.deadline:%Y-%m-%d}前完成",
            frequency=Frequency.ONCE,
            deadline=f"{task.deadline:%Y-%m-%d}",
            owner_unit_id=unit_id,
            created_at=now,
            updated_at=now,
        )

    item = await add_with_code(session, build)
    assert item.id is not None
    if draft_id is not None:
        await mark_made(session, draft_id=draft_id, item_code=item.code)
    session.add(Holding(item_id=item.id, unit_id=unit_id, person_id=person_id, created_at=now))
    await ensure_due_items(session, now=now, zone=zone)
    detail = {"item": item.code, "unit": unit.code, "holder": person.code}
    detail |= {"deadline": f"{task.deadline:%Y-%m-%d}", "source": task.source}
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="assign",
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )
    done = Assigned(
        item_code=item.code,
        content=task.content,
        deadline=task.deadline,
        due=effective_due(task.deadline, calendar=await load_calendar(session)).effective,
        source=task.source,
        holder_id=person_id,
        holder_code=person.code,
        holder_name=person.name,
        unit_name=unit.name,
        telegram_id=person.telegram_id,
    )
    await session.commit()
    return done
