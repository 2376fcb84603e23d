"""Leave chains: an acting person away too is followed; a chain back to the person going away is refused."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import LeaveProblem, LeaveRefused
from storage.models import Leave, Person


async def refuse_cycle(
    session: AsyncSession, person: Person, acting: Person, starts_on: date, ends_on: date
) -> None:
    """An acting person away in the same days is followed (their own stand-in receives); a chain
    that comes back to the person going away would leave the reminders with nobody: refused."""
    current, seen = acting, {person.id}
    while current.id not in seen:
        seen.add(current.id)
        away = (
            await session.exec(
                select(Leave).where(
                    col(Leave.person_id) == current.id,
                    col(Leave.cancelled_at).is_(None),
                    col(Leave.starts_on) <= ends_on,
                    col(Leave.ends_on) >= starts_on,
                    col(Leave.acting_person_id).is_not(None),
                )
            )
        ).first()
        if away is None or away.acting_person_id is None:
            return
        following = await session.get(Person, away.acting_person_id)
        if following is None:
            return
        if following.id == person.id:
            refusal = LeaveRefused(
                LeaveProblem.CYCLE,
                value=f"代办人{acting.name}（{acting.code}）",
                starts_on=max(starts_on, away.starts_on),
                ends_on=min(ends_on, away.ends_on),
            )
            await session.rollback()  # lets go of the lock
            raise refusal
        current = following
