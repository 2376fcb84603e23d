"""Each Telegram update is handled once: its claim commits with the handler's effect; old claims pruned."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, viewer_from, viewer_query
from storage.models import FailedBind, ProcessedUpdate

KEEP_CLAIMS = timedelta(days=7)


async def was_handled(session: AsyncSession, *, update_id: int) -> bool:
    """True when a committed claim says this update was handled before (a second delivery)."""
    found = await session.exec(
        select(col(ProcessedUpdate.update_id)).where(col(ProcessedUpdate.update_id) == update_id)
    )
    return found.first() is not None


async def first_look(
    session: AsyncSession, *, update_id: int, telegram_id: int | None
) -> tuple[bool, Viewer | None]:
    """Whether the update was handled before (`was_handled`) and who sent it (`viewer_for`), in
    one query for a bound sender: every update asks both, so one round trip instead of three.
    A stranger (no row) costs a second query for the claim."""
    if telegram_id is not None:
        claimed = exists().where(col(ProcessedUpdate.update_id) == update_id).label("handled")
        rows = (await session.exec(viewer_query(telegram_id, claimed))).all()
        if rows:
            return bool(rows[0][3]), viewer_from(rows)
    return await was_handled(session, update_id=update_id), None


def stage_claim(session: AsyncSession, *, update_id: int, now: datetime) -> ProcessedUpdate:
    """Add the update's claim to the session (no flush, no commit).

    It commits in the same transaction as whatever the handler writes, so a handler that fails
    leaves no claim and a redelivery is handled; one that succeeded drops every redelivery.
    Two workers handling one update at once: the second commit fails on the primary key.
    """
    claim = ProcessedUpdate(update_id=update_id, received_at=now)
    session.add(claim)
    return claim


async def prune_claims(session: AsyncSession, *, now: datetime) -> int:
    """Forget update claims older than a week and failed bind attempts older than a day."""
    claims = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < now - KEEP_CLAIMS)
    )
    await session.exec(delete(FailedBind).where(col(FailedBind.at) < now - timedelta(days=1)))
    await session.commit()
    return int(claims.rowcount or 0)
