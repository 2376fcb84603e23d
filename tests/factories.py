"""Small factories for service tests: a unit, a person with roles, written through a session."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, PersonRole, Role, Unit

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 2026-11-23 10:00 in Asia/Shanghai


async def make_unit(session: AsyncSession, code: str = "U01", name: str = "城关镇") -> Unit:
    unit = Unit(code=code, name=name, created_at=NOW, updated_at=NOW)
    session.add(unit)
    await session.flush()
    return unit


async def make_person(
    session: AsyncSession,
    unit: Unit,
    code: str = "P0101",
    name: str = "陈立新",
    roles: tuple[Role, ...] = (Role.FIRST,),
    *,
    active: bool = True,
    telegram_id: int | None = None,
) -> Person:
    assert unit.id is not None
    person = Person(
        code=code,
        name=name,
        unit_id=unit.id,
        position="镇党委书记",
        active=active,
        telegram_id=telegram_id,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(person)
    await session.flush()
    assert person.id is not None
    for role in roles:
        session.add(PersonRole(person_id=person.id, role=role))
    await session.commit()
    return person
