"""Who a typed name or code means: a 联络员 knows her colleagues by name, not by P-code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, Unit


@dataclass(frozen=True)
class Named:
    """One person a typed word may mean, with what tells two of one name apart."""

    person_id: int
    code: str
    name: str
    unit_name: str
    position: str


async def people_meant(session: AsyncSession, *, typed: str, unit_id: int | None) -> list[Named]:
    """The person whose code `typed` is (any case, active or not, any unit: the caller's own
    checks answer for those); otherwise the active people named `typed`, within `unit_id` when
    given, in code order. Empty: nobody (the caller reports the word as typed)."""
    word = typed.strip()
    query = select(Person, Unit).join(Unit, col(Unit.id) == col(Person.unit_id))
    by_code = (await session.exec(query.where(func.upper(col(Person.code)) == word.upper()))).all()
    rows = (
        by_code
        or (
            await session.exec(
                query.where(col(Person.name) == word, col(Person.active).is_(True))
                .where(True if unit_id is None else col(Person.unit_id) == unit_id)
                .order_by(col(Person.code))
            )
        ).all()
    )
    return [Named(p.id, p.code, p.name, u.name, p.position) for p, u in rows if p.id is not None]


async def code_of(session: AsyncSession, *, person_id: int) -> str | None:
    """The person's code (None: no such person)."""
    person = await session.get(Person, person_id)
    return None if person is None else person.code


def apart(people: Iterable[tuple[int, str, str, str]]) -> dict[int, str]:
    """(id, name, position, code) → a label per person id that tells namesakes apart: the name
    alone when nobody else given has it; else 名（职务） when their positions differ, 名（编码）
    when they do not."""
    by_name: dict[str, list[tuple[int, str, str]]] = {}
    for person_id, name, position, code in people:
        by_name.setdefault(name, []).append((person_id, position, code))
    labels: dict[int, str] = {}
    for name, same in by_name.items():
        ids = {person_id for person_id, _, _ in same}
        positions = [position for _, position, _ in same]
        distinct = all(positions) and len(set(positions)) == len(positions)
        for person_id, position, code in same:
            tail = position if distinct else code
            labels[person_id] = name if len(ids) == 1 else f"{name}（{tail}）"
    return labels


async def labels_apart(session: AsyncSession, *, person_ids: Iterable[int]) -> dict[int, str]:
    """These people's labels (`apart`): namesakes among them told apart by position or code."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    query = select(Person.id, Person.name, Person.position, Person.code).where(
        col(Person.id).in_(wanted)
    )
    return apart((i, n, p, c) for i, n, p, c in (await session.exec(query)).all() if i is not None)


async def namesakes_apart(
    session: AsyncSession, *, holders: Iterable[tuple[int, int | None, str | None]]
) -> dict[int, str]:
    """(unit id, person id, name) of a list's holders → a label for each person who shares a name
    with another listed person of their unit (`apart`); others are left out (their name serves)."""
    ids: dict[tuple[int, str | None], set[int]] = {}
    for unit_id, person_id, name in holders:
        if person_id is not None:
            ids.setdefault((unit_id, name), set()).add(person_id)
    shared = {i for same in ids.values() if len(same) > 1 for i in same}
    return await labels_apart(session, person_ids=shared)
