"""Job functions: each asks the database what is due as of `now` and does it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.notify import Notifier
from bot.services.holdings import roll_due_items
from bot.services.updates import prune_claims

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What every job may use; built once in bot.app."""

    sessions: async_sessionmaker[AsyncSession]
    notifier: Notifier
    zone: ZoneInfo


async def roll_periods(ctx: JobContext, now: datetime) -> None:
    """A new month, quarter, half-year or year: create its due items for every active holding."""
    async with ctx.sessions() as session:
        created = await roll_due_items(session, now=now, zone=ctx.zone)
    logger.info("roll_periods at %s: %s due items created", now.isoformat(), created)


async def prune(ctx: JobContext, now: datetime) -> None:
    """Forget old update claims and failed bind attempts."""
    async with ctx.sessions() as session:
        removed = await prune_claims(session, now=now)
    logger.info("prune at %s: %s update claims removed", now.isoformat(), removed)
