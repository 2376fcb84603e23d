"""A /leave's same-name buttons, used once: one command registers one leave at most.

The pick moves from unused to used by a conditional UPDATE, as 交办 drafts do: of two presses
(button 1 then button 2, or a double tap) only the one whose UPDATE moved the row goes on; the
leave is written in the same transaction, so a refused leave leaves the pick unused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import LeavePick


async def open_pick(session: AsyncSession, *, actor_person_id: int, now: datetime) -> int:
    """A new pick for the buttons about to be sent; its id (flushed, no commit)."""
    pick = LeavePick(actor_person_id=actor_person_id, created_at=now)
    session.add(pick)
    await session.flush()
    assert pick.id is not None
    return pick.id


async def take_pick(
    session: AsyncSession, *, pick_id: int, actor_person_id: int, now: datetime
) -> bool:
    """Mark the pick used; False when a press did so first (or it is not this person's)."""
    moved = await session.exec(
        update(LeavePick)
        .where(
            col(LeavePick.id) == pick_id,
            col(LeavePick.actor_person_id) == actor_person_id,
            col(LeavePick.used_at).is_(None),
        )
        .values(used_at=now)
    )
    return bool(moved.rowcount == 1)
