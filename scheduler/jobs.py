"""Job functions: each asks the database what is due as of `now` and does it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.workdays import load_calendar
from bot.services.ledger.due_items import roll_due_items
from bot.services.reminders.calendar_notice import tell_admins_estimated_years
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.run import RunReport, run_reminders
from bot.services.updates import prune_claims
from bot.telegram.notifier import Notifier
from bot.texts import reminders as reminder_texts
from bot.texts import reminders_calendar as calendar_texts
from storage.worker import Worker

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class JobContext:
    """What every job may use; built once in bot.app."""

    sessions: async_sessionmaker[AsyncSession]
    notifier: Notifier
    zone: ZoneInfo
    rules: LadderRules
    # the heavy views' database worker (its own thread, loop and engine): the run and the roll
    # read, plan and write there, so the bot's loop only answers chat meanwhile
    worker: Worker | None = None
    # one reminder run at a time in this process: the 09:00 job and the five-minute tick fire
    # together; the second finds the first under way and is skipped (the next tick catches up)
    running: asyncio.Lock = field(default_factory=asyncio.Lock)
    # what this process's runs did, for /metrics: "steps" (ladder steps taken), "messages"
    taken: Counter[str] = field(default_factory=Counter)

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in a session: on the worker when there is one."""
        if self.worker is not None:
            return await self.worker.run(work)
        async with self.sessions() as session:
            return await work(session)


async def roll_periods(ctx: JobContext, now: datetime) -> None:
    """A new month, quarter, half-year or year: create its due items for every active holding."""

    async def roll(session: AsyncSession) -> int:
        return await roll_due_items(session, now=now, zone=ctx.zone)

    created = await ctx.run(roll)
    logger.info("roll_periods at %s: %s due items created", now.isoformat(), created)


async def prune(ctx: JobContext, now: datetime) -> None:
    """Forget old update claims and failed bind attempts."""
    async with ctx.sessions() as session:
        removed = await prune_claims(session, now=now)
    logger.info("prune at %s: %s update claims removed", now.isoformat(), removed)


async def remind(ctx: JobContext, now: datetime) -> RunReport:
    """Select and enqueue every ladder step due as of `now` (the job and `python -m bot tick`)."""

    async def run(session: AsyncSession) -> RunReport:
        calendar = await load_calendar(session)
        report = await run_reminders(
            session,
            now=now,
            zone=ctx.zone,
            calendar=calendar,
            rules=ctx.rules,
            render=reminder_texts.render,
        )
        if report.in_window:
            await tell_admins_estimated_years(
                session,
                now=now,
                zone=ctx.zone,
                calendar=calendar,
                rules=ctx.rules,
                words=calendar_texts.estimated_year,
            )
        return report

    if ctx.running.locked():
        return RunReport(in_window=True, raced=True)
    async with ctx.running:
        report = await ctx.run(run)
    ctx.taken["steps"] += report.steps
    ctx.taken["messages"] += report.messages
    return report


async def reminders(ctx: JobContext, now: datetime) -> None:
    """The reminder run (09:00, and every tick to catch up one that was missed)."""
    report = await remind(ctx, now)
    if report.messages or report.raced:
        logger.info(
            "reminders at %s: %s messages, %s steps%s",
            now.isoformat(),
            report.messages,
            report.steps,
            " (another run took them)" if report.raced else "",
        )
