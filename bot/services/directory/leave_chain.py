"""Leave chains: an acting person away too is followed; a chain back to the person going away is refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import LeaveProblem, LeaveRefused
from storage.models import Leave, Person


async def refuse_cycle(
    session: AsyncSession, person: Person, acting: Person, starts_on: date, ends_on: date
) -> None:
    """Refuse a leave whose stand-ins, on some day of it, lead back to the person going away
    (their reminders would reach nobody); a chain that ends with someone present is fine.

    Checked day by day against every leave registered over the same days (a leave is at most a
    year; the leaves overlapping it are few)."""
    leaves = (
        await session.exec(
            select(Leave).where(
                col(Leave.cancelled_at).is_(None),
                col(Leave.starts_on) <= ends_on,
                col(Leave.ends_on) >= starts_on,
                col(Leave.acting_person_id).is_not(None),
            )
        )
    ).all()
    if not leaves:
        return
    first_day: date | None = None
    chain: list[int] = []
    day = starts_on
    while day <= ends_on:
        found = _loop(leaves, person.id, acting.id, day)
        if found and first_day is None:
            first_day, chain = day, found
        if first_day is not None and (not found or day == ends_on):
            last = day if found else day - timedelta(days=1)
            names = await _names(session, [person.id, *chain])
            await session.rollback()  # lets go of the lock
            raise LeaveRefused(
                LeaveProblem.CYCLE, value="→".join(names), starts_on=first_day, ends_on=last
            )
        day += timedelta(days=1)


def _loop(leaves: Sequence[Leave], person: int | None, acting: int | None, day: date) -> list[int]:
    """The stand-ins followed from `acting` on `day`, when they come back to `person`."""
    away = {
        leave.person_id: leave.acting_person_id
        for leave in leaves
        if leave.starts_on <= day <= leave.ends_on
    }
    chain: list[int] = []
    current = acting
    while current is not None and current not in chain:
        chain.append(current)
        if current == person:
            return chain
        current = away.get(current)
    return []


async def _names(session: AsyncSession, ids: list[int | None]) -> list[str]:
    people = {
        p.id: p for p in (await session.exec(select(Person).where(col(Person.id).in_(ids)))).all()
    }
    return [f"{people[i].name}（{people[i].code}）" for i in ids if i in people]
