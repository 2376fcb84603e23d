"""Admins are told once per year when its working days are only estimated (no official schedule)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.workdays import WorkCalendar, estimated_years
from bot.services.directory.recipients import load_directory
from bot.services.outbox import OutboxMessage, enqueue
from bot.services.reminders.ladder import LadderRules, next_window
from storage.models import Outbox


async def tell_admins_estimated_years(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
    rules: LadderRules,
    words: Callable[[int], str],
) -> int:
    """Admins are told once per year that the year's working days are only estimated
    (no official schedule known, no overrides imported); the dedupe key makes it once."""
    years = [
        year
        for year in estimated_years(calendar, today=local_date(now, zone))
        if not await _announced(session, year)
    ]
    if not years:
        return 0  # the usual case: one indexed lookup per year, no directory load
    directory = await load_directory(session, today=local_date(now, zone))
    window = next_window(rules, now=now, zone=zone, calendar=calendar)
    messages = [
        OutboxMessage(
            dedupe_key=f"calendar-estimated:{year}:{admin.person_id}",
            chat_id=admin.telegram_id,
            person_id=admin.person_id,
            text=words(year),
            not_before=window,
            kind="system",
            priority=4,
        )
        for year in years
        for admin in directory.admins()
        if admin.telegram_id is not None and not admin.unreachable
    ]
    added = await enqueue(session, messages=messages, now=now)
    await session.commit()
    return added


async def _announced(session: AsyncSession, year: int) -> bool:
    found = await session.exec(
        select(col(Outbox.id))
        .where(col(Outbox.dedupe_key).startswith(f"calendar-estimated:{year}:"))
        .limit(1)
    )
    return found.first() is not None
