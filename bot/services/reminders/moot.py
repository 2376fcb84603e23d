"""Delivery against the state at delivery: a queued reminder whose items were all done meanwhile."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.ledger.outstanding import is_open
from storage.models import DueItem, Outbox, ReplyKind, ReplyMeaning

NAMING = (ReplyKind.REMINDER, ReplyKind.NUDGE)  # the queued messages that name due items
ONLY_ITEMS = ("reminder", "nudge")  # kinds that say nothing else (a 联络员's digest does)


async def moot(session: AsyncSession, *, outbox_ids: Sequence[int]) -> list[int]:
    """Of these outbox rows, the reminders and 催办 every due item of which is recorded (or
    closed) now: a row that waited (an outage, the night) is not sent about work done since."""
    meanings = (
        await session.exec(
            select(ReplyMeaning.outbox_id, ReplyMeaning.due_item_ids)
            .join(Outbox, col(Outbox.id) == col(ReplyMeaning.outbox_id))
            .where(
                col(ReplyMeaning.outbox_id).in_(outbox_ids),
                col(ReplyMeaning.kind).in_(NAMING),
                col(Outbox.kind).in_(ONLY_ITEMS),
            )
        )
    ).all()
    found = []
    for outbox_id, listed in meanings:
        items = [int(part) for part in listed.split(",") if part]
        if not items or outbox_id is None:
            continue
        still = (
            await session.exec(
                select(func.count())
                .select_from(DueItem)
                .where(col(DueItem.id).in_(items), is_open())
            )
        ).one()
        if not still:
            found.append(outbox_id)
    return found
