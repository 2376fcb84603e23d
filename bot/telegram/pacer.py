"""The one pacer every outgoing Bot API call waits on: Telegram's overall, per-chat and per-group limits.

Telegram's documented limits: about 30 messages a second overall, about one a second in a
private chat (short bursts tolerated), at most 20 a minute in a group. The pacer stays inside
them with a margin (SEND_RATE, default 28/s; 1/s with a burst of 3 per private chat; 18/min per
group, negative chat ids). Waiters are served by priority first (chat replies, HIGH, before the
outbox's bulk messages, LOW), then in arrival order; a waiter whose chat is not ready never
holds up the others. `pause(seconds)` (a 429's retry_after) stops every grant until then.

With several processes on one token (`serve` workers) a shared `budget` (budget.py) paces the
overall rate across all of them: each grant first reserves its slot there.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

HIGH = 0  # a reply to someone waiting in the chat
LOW = 1  # bulk: reminders, digests, notices from the outbox
_EPSILON = 1e-9
_GLOBAL_BURST = 1.5
_SHARED = -1.0  # _grant_one: a waiter is ready, a slot of the shared budget is needed first


class Budget(Protocol):
    """The overall rate shared with other processes (budget.SharedBudget)."""

    async def reserve(self) -> float | None:
        """Seconds until the reserved slot (None: unavailable, pace in-process only)."""

    async def pause(self, seconds: float) -> None:
        """Hold every process back for `seconds` (a 429's retry_after)."""


class TokenBucket:
    """`burst` sends at once, then one every 1/rate seconds (at most burst + rate·t in any t seconds)."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def ready_at(self, now: float) -> float:
        """The earliest instant (≥ now) at which one more send fits."""
        self._refill(now)
        if self.tokens >= 1 - _EPSILON:
            return now
        return now + (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def idle(self, now: float) -> bool:
        """Full again: forgetting it changes nothing."""
        self._refill(now)
        return self.tokens >= self.burst - _EPSILON


class SlidingWindow:
    """At most `limit` sends in any `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.times: deque[float] = deque()

    def _forget(self, now: float) -> None:
        while self.times and self.times[0] + self.period <= now:
            self.times.popleft()

    def ready_at(self, now: float) -> float:
        self._forget(now)
        if len(self.times) < self.limit:
            return now
        return self.times[len(self.times) - self.limit] + self.period

    def take(self, now: float) -> None:
        self._forget(now)
        self.times.append(now)

    def idle(self, now: float) -> bool:
        self._forget(now)
        return not self.times


Limit = TokenBucket | SlidingWindow


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    chat_id: int = field(compare=False)
    future: asyncio.Future[float] = field(compare=False)


class Pacer:
    """Grants sends one at a time within every limit; shared by the Notifier and the outbox sender."""

    def __init__(
        self,
        *,
        rate: float = 28.0,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        group_limit: int = 18,
        group_period: float = 60.0,
        per_chat: bool = True,
        budget: Budget | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """per_chat=False keeps only the overall rate: for a Bot API server without per-chat
        limits (the local chat mode's fake, unless it enforces Telegram's)."""
        self.rate, self.per_chat = rate, per_chat
        self._chat_rate, self._chat_burst = chat_rate, chat_burst
        self._group_limit, self._group_period = group_limit, group_period
        self._monotonic = monotonic
        # half a send of slack: a grant that woke late is made up for by the next one, yet at
        # most rate + 1.5 sends fall in any second (29 at 28/s; Telegram refuses above 30)
        self._global = TokenBucket(rate, _GLOBAL_BURST, monotonic())
        self._chats: dict[int, Limit] = {}
        self._prune_at = 1024
        self._paused_until = -math.inf
        self._waiters: list[_Waiter] = []
        self._seq = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup = asyncio.Event()
        self.budget = budget
        self._slot = False  # a slot of the shared budget is reserved and due: the next grant's
        self._pausing: set[asyncio.Task[None]] = set()
        self.granted = 0  # calls let through (sends, edits, uploads): the metrics read these
        self.floods = 0  # 429s told (pause calls)

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after: no grant for anyone before `seconds` from now."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
        self._wakeup.set()
        self.floods += 1
        if self.budget is not None and self._loop is not None and self._loop.is_running():
            task = self._loop.create_task(self.budget.pause(seconds))
            self._pausing.add(task)
            task.add_done_callback(self._pausing.discard)

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._monotonic())

    def waiting(self) -> int:
        """How many calls wait for their turn right now."""
        return sum(1 for waiter in self._waiters if not waiter.future.done())

    async def acquire(self, chat_id: int, *, priority: int = HIGH) -> float:
        """Return (the pacer's instant of the grant) when one message to `chat_id` may go out now.

        Cancelling the wait gives the place up.
        """
        loop = asyncio.get_running_loop()
        self._bind(loop)
        waiter = _Waiter(priority, next(self._seq), chat_id, loop.create_future())
        bisect.insort(self._waiters, waiter)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._serve(), name="pacer")
        self._wakeup.set()
        try:
            return await waiter.future
        except asyncio.CancelledError:
            self._wakeup.set()  # lets the server drop the place (and stop when nobody waits)
            raise

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not loop:  # a new event loop (tests, CLI): fresh loop-bound parts
            self._loop, self._task, self._wakeup = loop, None, asyncio.Event()
            self._waiters = [w for w in self._waiters if not w.future.done()]

    async def _serve(self) -> None:
        """Grant places while anyone waits; sleeps until the next grant is possible or news arrives."""
        while True:
            delay = self._grant_one(self._monotonic())
            if delay is None:
                self._slot = False
                return
            if delay == _SHARED and self.budget is not None:
                wait = await self.budget.reserve()
                self._slot = True
                if wait:
                    await asyncio.sleep(wait)  # the slot is ours; the first ready waiter takes it
            elif delay > 0:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), delay)
            else:
                await asyncio.sleep(0)

    def _grant_one(self, now: float) -> float | None:
        """Grant the first ready waiter: 0 when granted, seconds to wait otherwise, None when idle."""
        self._waiters = [w for w in self._waiters if not w.future.done()]
        if not self._waiters:
            return None
        if now < self._paused_until:
            return self._paused_until - now
        ready = self._global.ready_at(now)
        if ready > now:
            return ready - now
        earliest = math.inf
        for index, waiter in enumerate(self._waiters):
            limit = self._limit(waiter.chat_id, now) if self.per_chat else None
            at = now if limit is None else limit.ready_at(now)
            if at <= now:
                if self.budget is not None and not self._slot:
                    return _SHARED
                self._slot = False
                self._global.take(now)
                if limit is not None:
                    limit.take(now)
                del self._waiters[index]
                waiter.future.set_result(now)
                self.granted += 1
                self._prune(now)
                return 0.0
            earliest = min(earliest, at)
        return earliest - now

    def _limit(self, chat_id: int, now: float) -> Limit:
        limit = self._chats.get(chat_id)
        if limit is None:
            limit = (
                SlidingWindow(self._group_limit, self._group_period)
                if chat_id < 0
                else TokenBucket(self._chat_rate, self._chat_burst, now)
            )
            self._chats[chat_id] = limit
        return limit

    def _prune(self, now: float) -> None:
        """Forget chats whose limits are back to rest, so a long life does not grow memory."""
        if len(self._chats) < self._prune_at:
            return
        self._chats = {chat: limit for chat, limit in self._chats.items() if not limit.idle(now)}
        self._prune_at = max(1024, 2 * len(self._chats))
