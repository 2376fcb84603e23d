"""交办 made once: the draft a prompt holds (its first good reply consumes it) and a JB code no two
admins can both take.

A prompt's draft moves from draft to submitted by a conditional UPDATE, as notices do: of two
replies to one prompt (a double send, two devices) only the one whose UPDATE moved the row makes
an item. Codes are the highest JB number plus one; two admins assigning at the same moment may
both compute it, so the item is inserted in a savepoint and, when Item.code's UNIQUE refuses
it, the next number is tried (PostgreSQL makes the second insert wait for the first commit;
SQLite serialises the two writers on the draft's UPDATE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AssignDraft, DraftState, Item

CODE_PREFIX = "JB"
CODE = re.compile(rf"^{CODE_PREFIX}(\d+)$")
ATTEMPTS = 20


@dataclass(frozen=True)
class Draft:
    """A prompt's draft: whom it assigns to, and the item's code once made."""

    id: int
    actor_person_id: int
    unit_id: int
    person_id: int
    item_code: str | None


async def start_draft(
    session: AsyncSession, *, actor_person_id: int, unit_id: int, person_id: int, now: datetime
) -> int:
    """A new draft for a prompt about to be sent; its id (flushed, no commit)."""
    draft = AssignDraft(
        actor_person_id=actor_person_id, unit_id=unit_id, person_id=person_id, created_at=now
    )
    session.add(draft)
    await session.flush()
    assert draft.id is not None
    return draft.id


async def draft_of(session: AsyncSession, *, draft_id: int) -> Draft | None:
    """The draft, or None."""
    row = await session.get(AssignDraft, draft_id, populate_existing=True)
    if row is None or row.id is None:
        return None
    return Draft(row.id, row.actor_person_id, row.unit_id, row.person_id, row.item_code)


async def consume_draft(session: AsyncSession, *, draft_id: int) -> bool:
    """Move the draft from draft to submitted; False when another reply did so first."""
    moved = await session.exec(
        update(AssignDraft)
        .where(col(AssignDraft.id) == draft_id, col(AssignDraft.state) == DraftState.DRAFT)
        .values(state=DraftState.SUBMITTED)
    )
    return bool(moved.rowcount == 1)


async def mark_made(session: AsyncSession, *, draft_id: int, item_code: str) -> None:
    """Note on the draft which item it made (for the reply to a second answer)."""
    await session.exec(
        update(AssignDraft).where(col(AssignDraft.id) == draft_id).values(item_code=item_code)
    )


async def next_code(session: AsyncSession) -> str:
    """The highest JB code plus one (JB001 first)."""
    codes = (
        await session.exec(select(col(Item.code)).where(col(Item.code).like(f"{CODE_PREFIX}%")))
    ).all()
    numbers = [int(m[1]) for m in (CODE.match(c) for c in codes) if m]
    return f"{CODE_PREFIX}{max(numbers, default=0) + 1:03d}"


async def add_with_code(session: AsyncSession, build: Callable[[str], Item]) -> Item:
    """Insert the item `build` makes for the next free JB code; a code taken meanwhile (another
    admin's insert) is given up in its savepoint and the next one tried."""
    for _ in range(ATTEMPTS):
        item = build(await next_code(session))
        try:
            async with session.begin_nested():
                session.add(item)
                await session.flush()
        except IntegrityError:
            continue
        return item
    raise RuntimeError(f"no free {CODE_PREFIX} code after {ATTEMPTS} attempts")
