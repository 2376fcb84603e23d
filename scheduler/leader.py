"""One scheduler: the process holding the lock runs the cron table and the outbox sender; others stand by."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.clock import Clock
from scheduler.jobs import JobContext
from scheduler.lock import SchedulerLock
from scheduler.table import JOBS, STARTUP_JOBS, build_scheduler, run_job

logger = logging.getLogger(__name__)
RETRY = 15.0  # seconds between attempts to take over: a standby leads within a minute
POLLING_STANDBY = "this one does not poll (one getUpdates per token)"


class Leader:
    """Runs `lead` work (cron table + sender) only while this process holds the scheduler lock."""

    def __init__(
        self,
        *,
        lock: SchedulerLock,
        jobs: JobContext,
        clock: Clock,
        sender: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
        retry: float = RETRY,
        standby: str = POLLING_STANDBY,
    ) -> None:
        """`standby`: what a standing-by process does meanwhile, for its log line."""
        self.lock, self.jobs, self.clock = lock, jobs, clock
        self.sender = sender
        self.retry = retry
        self.standby = standby
        self.leading = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: take the lock when free and lead; otherwise stand by (chat only)."""
        announced = False
        try:
            while not stop.is_set():
                if await self.lock.try_acquire():
                    announced = False
                    await self._lead(stop)
                    continue
                if not announced:
                    logger.warning(
                        "standing by: another instance runs the scheduler and the outbox sender; "
                        "%s and takes over if that one stops",
                        self.standby,
                    )
                    announced = True
                await _wait(stop, self.retry)
        finally:
            await self.lock.release()

    async def _lead(self, stop: asyncio.Event) -> None:
        logger.info("this instance runs the scheduler and the outbox sender")
        self.leading.set()
        sender_stop = asyncio.Event()
        sender = asyncio.create_task(self.sender(sender_stop), name="outbox-sender")
        for job in JOBS:
            if job.id in STARTUP_JOBS:
                await run_job(job, self.jobs, self.clock.now())
        scheduler = build_scheduler(self.jobs, self.clock)
        scheduler.start()
        try:
            while not stop.is_set():
                await _wait(stop, self.retry)
                if not await self.lock.alive():
                    logger.error("lost the scheduler lock (database connection gone); standing by")
                    break
        finally:
            self.leading.clear()
            scheduler.shutdown(wait=False)
            sender_stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sender, timeout=30)
            await self.lock.release()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
