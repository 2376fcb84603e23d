"""Who a typed name or code means: a 联络员 knows her colleagues by name, not by P-code."""

from __future__ import annotations

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
