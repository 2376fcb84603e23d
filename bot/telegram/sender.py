"""OutboxSender: the one loop that drains the outbox through the paced notifier, marking each send as it ends.

Rows are claimed in small batches (most urgent first) and sent concurrently; the pacer keeps
the wave inside Telegram's limits and lets chat replies go first. Each row is marked right
after Telegram answered: sent (message id), again later (429 beyond the notifier's budget: not
an attempt; a 5xx, network error or timeout: backoff growing to an hour, retried until it goes
out), unreachable (403: the person is marked, the row fails, no retry) or failed (400, the
reason kept). Only an unexpected error of our own is given up, after `max_attempts` tries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.calendar.window import SendingWindow, delivery_opens
from bot.services.outbox import (
    STALE_CLAIM,
    claim_due,
    drop,
    mark_failed,
    mark_sent,
    mark_unreachable,
    postpone,
    recover_sending,
)
from bot.services.reminders.moot import moot
from bot.services.reminders.refresh import Rewording, reword
from bot.telegram.delivery import Delivery, Outcome, retry_delay
from bot.telegram.notifier import Notifier
from storage.models import Outbox

logger = logging.getLogger(__name__)

BATCH = 50  # rows claimed at a time: ~2 s of sending at 28/s, so little sits claimed
MAX_ATTEMPTS = 5  # unexpected errors (a bug, not Telegram): tries before a row is failed
IDLE = 1.0  # seconds between looks at an empty outbox
STOP_GRACE = 10.0  # seconds in-flight sends get to finish on stop


@dataclass
class SendCounts:
    """What one drain did, by outcome."""

    sent: int = 0
    retry: int = 0  # back to pending for later (429 beyond budget, 5xx, network, timeout)
    failed: int = 0
    unreachable: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome, kind: str) -> None:
        if outcome == "sent":
            self.sent += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        elif outcome in ("flood", "retry"):
            self.retry += 1
        elif outcome == "unreachable":
            self.unreachable += 1
        else:
            self.failed += 1

    @property
    def total(self) -> int:
        return self.sent + self.retry + self.failed + self.unreachable


class OutboxSender:
    """Drains the outbox; built once in bot.app, run by the process that holds the scheduler lock."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notifier: Notifier,
        clock: Clock,
        *,
        batch: int = BATCH,
        max_attempts: int = MAX_ATTEMPTS,
        idle: float = IDLE,
        window: SendingWindow | None = None,
        rewording: Rewording | None = None,
    ) -> None:
        self.sessions, self.notifier, self.clock = sessions, notifier, clock
        self.batch, self.max_attempts, self.idle = batch, max_attempts, idle
        self.window = window  # None: every row goes when due (tests of the sending itself)
        self.rewording = rewording  # None: a reminder goes as queued (or is dropped when moot)
        self.counts = SendCounts()  # everything `run` did so far

    async def run(self, stop: asyncio.Event) -> None:
        """Recover crash leftovers, then send whatever falls due until `stop` is set."""
        await self.recover()
        running: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        last_sweep = self.clock.now()
        try:
            while not stop.is_set():
                now = self.clock.now()
                if now - last_sweep >= STALE_CLAIM:  # a `tick` process killed mid-wave
                    last_sweep = now
                    await self._sweep(now)
                rows = await self._claim(now, self.batch - len(running), running)
                for row in rows:
                    running.add(asyncio.create_task(self._send(row, None, self.counts)))
                await asyncio.wait(
                    {*running, stopping}, timeout=self.idle, return_when=asyncio.FIRST_COMPLETED
                )
                running = {task for task in running if not task.done()}
        finally:
            stopping.cancel()
            await self._finish(running)

    async def recover(self) -> int:
        """Queue again every row left sending by a process that died mid-send; how many.

        Only for the one sender: the caller holds the scheduler lock (`run` as it starts, `tick`).
        """
        async with self.sessions() as session:
            recovered = await recover_sending(session, now=self.clock.now())
        if recovered:
            logger.warning(
                "outbox: %s message(s) left sending by a stop were queued again", recovered
            )
        return recovered

    async def drain_once(self, now: datetime) -> SendCounts:
        """Send everything due as of `now` and return what happened (`tick`, tests, :clock)."""
        counts = SendCounts()
        while rows := await self._claim(now, self.batch, set()):
            await asyncio.gather(*(self._send(row, now, counts) for row in rows))
        return counts

    async def _claim(
        self, now: datetime, room: int, running: set[asyncio.Task[None]]
    ) -> list[Outbox]:
        if room < max(1, self.batch // 2) and running:
            return []  # refill only when half the batch is done
        try:
            async with self.sessions() as session:
                rows = await claim_due(session, now=now, limit=room)
                rows = await self._hold_outside_window(session, rows, now)
                rows = await self._drop_moot(session, rows, now)
                return await self._reword(session, rows)
        except Exception:
            logger.exception("outbox: claiming due messages failed; trying again shortly")
            return []

    async def _hold_outside_window(
        self, session: AsyncSession, rows: list[Outbox], now: datetime
    ) -> list[Outbox]:
        """Every outbox row is a bulk message (replies to the person chatting never pass here):
        claimed outside the sending window (a night, a weekend, a backlog after an outage), the
        rows go back to pending until the window opens — not an attempt (README: 发送时段)."""
        if self.window is None or not rows:
            return rows
        opens = await delivery_opens(session, window=self.window, now=now)
        if opens <= now:
            return rows
        held = await postpone(session, outbox_ids=[row.id for row in rows if row.id], until=opens)
        logger.info("outbox: %s message(s) outside the sending window wait until %s", held, opens)
        return []

    async def _drop_moot(
        self, session: AsyncSession, rows: list[Outbox], now: datetime
    ) -> list[Outbox]:
        """Reminders and 催办 whose every item was recorded while they waited are not sent."""
        ids = await moot(session, outbox_ids=[row.id for row in rows if row.id is not None])
        if not ids:
            return rows
        await drop(session, outbox_ids=ids, reason="moot: every item it named is done", now=now)
        logger.info("outbox: %s reminder(s) not sent: their items were done meanwhile", len(ids))
        return [row for row in rows if row.id not in ids]

    async def _reword(self, session: AsyncSession, rows: list[Outbox]) -> list[Outbox]:
        """Reminders some of whose items were recorded while they waited go without them."""
        if self.rewording is None or not rows:
            return rows
        ids = [row.id for row in rows if row.id is not None and row.kind == "reminder"]
        if not ids:
            return rows
        try:
            words = await reword(session, outbox_ids=ids, rewording=self.rewording)
        except Exception:  # a bug of ours must not hold the reminders: they go as queued
            logger.exception("outbox: re-wording reminders failed; sending them as queued")
            return rows  # (closing the session undoes whatever the attempt wrote)
        for row in rows:
            if row.id in words:
                row.text, row.reply_markup = words[row.id].text, words[row.id].reply_markup
        if words:
            logger.info(
                "outbox: %s reminder(s) re-worded: some items were done meanwhile", len(words)
            )
        return rows

    async def _sweep(self, now: datetime) -> None:
        try:
            async with self.sessions() as session:
                stale = await recover_sending(session, now=now, claimed_before=now - STALE_CLAIM)
        except Exception:
            logger.exception("outbox: sweeping stale claims failed")
            return
        if stale:
            logger.warning("outbox: %s stale claim(s) queued again", stale)

    async def _send(self, row: Outbox, now: datetime | None, counts: SendCounts) -> None:
        """Deliver one row and mark it at once; `now` fixed (drain_once) or the clock's."""
        assert row.id is not None
        try:
            delivery = await self.notifier.deliver(row)
        except Exception as exc:  # a bug, or a network error aiogram did not wrap
            logger.exception("outbox %s: sending failed unexpectedly", row.id)
            delivery = self._unexpected(row, exc)
        at = now or self.clock.now()
        try:
            await self._mark(row, delivery, at)
        except Exception:
            logger.exception(
                "outbox %s: %s but could not be marked; it stays claimed and is sent again after "
                "the next start",
                row.id,
                delivery.outcome,
            )
            return
        counts.add(delivery.outcome, row.kind)

    async def _mark(self, row: Outbox, delivery: Delivery, at: datetime) -> None:
        assert row.id is not None
        async with self.sessions() as session:
            if delivery.outcome == "sent":
                await mark_sent(session, outbox_id=row.id, message_id=delivery.message_id, now=at)
                return
            if delivery.outcome == "unreachable" and row.person_id is not None:
                await mark_unreachable(session, person_id=row.person_id, now=at)
            retry_at: datetime | None = None
            reason = delivery.reason
            if delivery.outcome in ("flood", "retry"):  # transient: again until it goes out
                retry_at = at + timedelta(seconds=delivery.retry_after)
            await mark_failed(
                session,
                outbox_id=row.id,
                reason=reason,
                now=at,
                retry_at=retry_at,
                attempt=delivery.outcome != "flood",  # a 429 is a wait, not a failure
            )
        level = logging.INFO if retry_at is not None else logging.WARNING
        logger.log(
            level,
            "outbox %s (%s to %s): %s%s — %s",
            row.id,
            row.kind,
            row.chat_id,
            delivery.outcome,
            f", again at {retry_at.isoformat()}" if retry_at else "",
            reason,
        )

    def _unexpected(self, row: Outbox, exc: Exception) -> Delivery:
        """An error raised while sending: retried with backoff; a bug of ours (not OSError or a
        timeout, which are the network's) fails the row after max_attempts."""
        attempt, reason = row.attempts + 1, f"{type(exc).__name__}: {exc}"
        if attempt >= self.max_attempts and not isinstance(exc, OSError | TimeoutError):
            return Delivery("failed", reason=f"gave up after {attempt} attempts: {reason}")
        return Delivery("retry", retry_after=retry_delay(attempt), reason=reason)

    async def _finish(self, running: set[asyncio.Task[None]]) -> None:
        """Let in-flight sends end and be marked; what is still running after the grace is cancelled
        (its row stays claimed and is queued again at the next start)."""
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=STOP_GRACE)
        for task in pending:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            logger.warning(
                "outbox: %s send(s) cut off by the stop; sent after the restart", len(pending)
            )
