"""The matcher knows the district's items as they are now, not as they were at start-up."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.records.matcher import Matcher
from bot.services.records.writing import known_items
from storage.models import Item


async def keep_current(session: AsyncSession, matcher: Matcher) -> None:
    """Before a sentence is matched: an import while the bot runs (or from the CLI, another
    process) adds and changes items, and a sentence is judged against the whole district's list
    (matching/fit.py's rival check). A cheap fingerprint of the active items is read each time
    (count, largest id, total length of their words); the items themselves only when it moved."""
    row = (
        await session.exec(
            select(
                func.count(),
                func.max(Item.id),
                func.coalesce(func.sum(func.length(Item.content) + func.length(Item.measures)), 0),
            ).where(col(Item.active).is_(True))
        )
    ).one()
    fingerprint = tuple(row)
    if fingerprint != matcher.version:
        matcher.learn(await known_items(session), version=fingerprint)
