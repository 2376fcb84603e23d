"""公示: post a unit's list or its quarter's progress into the unit's linked group, once a day.

The parts go through the outbox (the one paced sender posts them in order); their dedupe keys
name the unit, the kind and the local day, so a double press, or a second press the same day,
posts nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.errors import DomainError
from bot.services.outbox import OutboxMessage, enqueue
from storage.models import AuditEntry, Outbox, Unit

KINDS = ("list", "progress")
PRIORITY = 4  # before bulk reminders (5), after urgent system messages


class NoGroup(DomainError):
    """The unit has no linked group (an admin or secretary binds one with /bindgroup)."""


@dataclass(frozen=True)
class Posted:
    """How many messages were queued (0: already posted today)."""

    queued: int
    parts: int


def dedupe_prefix(unit_id: int, kind: str, now: datetime, zone: ZoneInfo) -> str:
    """The key shared by one day's post of one kind for one unit (a part number follows)."""
    return f"publicize:{unit_id}:{kind}:{local_date(now, zone).isoformat()}:"


async def post_to_group(
    session: AsyncSession,
    *,
    unit: Unit,
    kind: str,
    parts: Sequence[str],
    actor_person_id: int,
    now: datetime,
    zone: ZoneInfo,
    window: SendingWindow | None = None,
) -> Posted:
    """Queue `parts` (each within Telegram's limit) for the unit's group; never commits.

    Raises NoGroup when the unit has no group. A post of this kind already queued today
    (by anyone) makes this a no-op, so a part never goes out twice or out of order.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if unit.group_chat_id is None or unit.id is None:
        raise NoGroup(unit.code)
    prefix = dedupe_prefix(unit.id, kind, now, zone)
    first = (
        await session.exec(select(col(Outbox.id)).where(col(Outbox.dedupe_key) == prefix + "001"))
    ).first()
    if first is not None:
        return Posted(queued=0, parts=len(parts))
    not_before = await bulk_not_before(session, window=window, now=now)
    messages = [
        OutboxMessage(
            dedupe_key=f"{prefix}{number:03d}",
            chat_id=unit.group_chat_id,
            person_id=None,
            text=text,
            not_before=not_before,
            kind="publicize",
            priority=PRIORITY,
        )
        for number, text in enumerate(parts, start=1)
    ]
    queued = await enqueue(session, messages=messages, now=now)
    if queued:
        session.add(
            AuditEntry(
                at=now,
                actor_person_id=actor_person_id,
                action="publicize",
                detail=f"unit={unit.code} kind={kind} parts={len(parts)}",
            )
        )
    return Posted(queued=queued, parts=len(parts))
