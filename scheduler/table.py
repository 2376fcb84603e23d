"""The fixed cron table: explicit job ids, Asia/Shanghai times; APScheduler is only the clock."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from scheduler import jobs
from scheduler.jobs import JobContext

logger = logging.getLogger(__name__)
JobFunc = Callable[[JobContext, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """One row of the table: an id, a cron spec in the bot's zone, and what to run."""

    id: str
    cron: dict[str, int | str]
    run: JobFunc
    replay_last_only: bool = False  # a frequent tick: a clock jump replays only its last firing


JOBS: tuple[Job, ...] = (
    Job("roll_periods", {"hour": 0, "minute": 5}, jobs.roll_periods),
    Job("prune", {"hour": 3, "minute": 30}, jobs.prune),
    Job("reminders", {"hour": 9, "minute": 0}, jobs.reminders),
    Job("tick", {"minute": "*/5"}, jobs.reminders, replay_last_only=True),
)
STARTUP_JOBS = ("roll_periods", "tick")  # also run once at start-up: catch up after downtime


def trigger(job: Job, ctx: JobContext) -> CronTrigger:
    return CronTrigger(timezone=ctx.zone, **job.cron)


async def run_job(job: Job, ctx: JobContext, now: datetime) -> None:
    """Run one job, logging (not raising) its failure so the clock keeps ticking."""
    try:
        await job.run(ctx, now)
    except Exception:
        logger.exception("job %s failed at %s", job.id, now.isoformat())


def build_scheduler(ctx: JobContext, clock: Clock) -> AsyncIOScheduler:
    """An AsyncIOScheduler holding the table; the memory job store is enough (nothing due lives here)."""
    scheduler = AsyncIOScheduler(timezone=ctx.zone)
    for job in JOBS:

        async def fire(job: Job = job) -> None:
            await run_job(job, ctx, clock.now())

        scheduler.add_job(
            fire,
            trigger(job, ctx),
            id=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler


def fire_times(ctx: JobContext, start: datetime, end: datetime) -> list[tuple[datetime, Job]]:
    """Every (instant, job) the table fires in (start, end], in order: the chat mode's clock jumps."""
    due: list[tuple[datetime, Job]] = []
    for job in JOBS:
        cron = trigger(job, ctx)
        moment = cron.get_next_fire_time(None, start + timedelta(microseconds=1))
        fired: list[tuple[datetime, Job]] = []
        while moment is not None and moment <= end:
            fired.append((moment, job))
            moment = cron.get_next_fire_time(moment, moment + timedelta(microseconds=1))
        due.extend(fired[-1:] if job.replay_last_only else fired)
    due.sort(key=lambda pair: pair[0])
    return due


async def run_between(
    ctx: JobContext,
    start: datetime,
    end: datetime,
    *,
    after: Callable[[datetime], Awaitable[object]] | None = None,
) -> list[tuple[datetime, str]]:
    """Run, at their own instants, the jobs the table fires in (start, end]; `after` (the local
    chat mode's outbox delivery) runs after each, at the same instant."""
    ran = []
    for moment, job in fire_times(ctx, start, end):
        await run_job(job, ctx, moment)
        if after is not None:
            await after(moment)
        ran.append((moment, job.id))
    return ran
