"""Each Telegram update is handled once: a worker claims it before handling; old claims are pruned."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FailedBind, ProcessedUpdate

KEEP_CLAIMS = timedelta(days=7)


async def claim_update(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """True if this worker may handle the update; False if it was delivered and claimed before."""
    session.add(ProcessedUpdate(update_id=update_id, received_at=now))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def prune_claims(session: AsyncSession, *, now: datetime) -> int:
    """Forget update claims older than a week and failed bind attempts older than a day."""
    claims = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < now - KEEP_CLAIMS)
    )
    await session.exec(delete(FailedBind).where(col(FailedBind.at) < now - timedelta(days=1)))
    await session.commit()
    return int(claims.rowcount or 0)
