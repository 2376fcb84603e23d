"""The pacer's overall budget shared by every worker of one token: a Redis key paced by GCRA.

Telegram's ~30 messages a second hold per bot token, not per process: with several `serve`
workers each process's own pacer would let N × SEND_RATE through. Each grant of every worker's
pacer first reserves a slot here: one Lua script (atomic on the server, one round trip, the
server's own clock, so the workers' clocks need not agree) advances the key's "theoretical
arrival time" by 1/rate and answers how long this worker waits for its slot. A 429's
retry_after is shared the same way (every worker holds back until it ends).

Why Redis and not a PostgreSQL row: a send's reservation is ~0.1 ms on Redis and touches no
connection of the pool the chat's transactions need; a PostgreSQL row would be a WAL-logged
UPDATE per message on one hot row that every worker's sends queue behind, and the budget is
worthless a second later (nothing to keep durable).

Redis unreachable: one ERROR line, and this worker paces alone (its in-process pacer, SEND_RATE)
until Redis answers again (asked again every `retry` seconds; one INFO line then). Chat goes on;
a 429 from Telegram still pauses every send of this worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# How long a reservation may wait for Redis before this worker takes it for down. Not tight: a
# healthy Redis (or a connection being opened) answers in well under a second even at a load
# peak, while one taken for down by a short stall makes this worker pace alone at SEND_RATE for
# `retry` seconds, so N workers could together exceed the token's limit just when it matters.
# An unreachable Redis usually refuses the connection at once; only a host that drops packets
# costs a wait this long, once per `retry` seconds.
SOCKET_TIMEOUT = 1.0  # an answer on an open connection
CONNECT_TIMEOUT = 2.0  # opening one (TCP, and AUTH/HELLO through a busy server or a TLS proxy)

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if tat < now then tat = now end
if tat < paused then tat = paused end
local start = tat - tolerance
if start < now then start = now end
local new = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', math.ceil((new - now) / 1000) + 1000)
return start - now
"""
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ms = tonumber(ARGV[1])
local until_ = now + ms * 1000
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held < until_ then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', ms + 1000)
end
return 0
"""


class SharedBudget:
    """reserve() → seconds until this worker's next send may go (a slot is held for it), or None
    while Redis is unreachable (pace locally); pause(seconds) holds every worker back."""

    def __init__(
        self,
        url: str,
        *,
        bot_id: str,
        rate: float,
        burst: float = 1.5,
        timeout: float = SOCKET_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        retry: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=connect_timeout,
            retry_on_timeout=False,
        )
        self._where = _where(url)
        self._keys = [f"lvze:pacer:{bot_id}", f"lvze:pacer:{bot_id}:pause"]
        self._interval = round(1_000_000 / rate)
        self._tolerance = round((burst - 1) * 1_000_000 / rate)
        self._retry, self._monotonic = retry, monotonic
        self._down_until: float | None = None  # monotonic instant of the next attempt while down
        self._reserve = self._redis.register_script(_RESERVE)
        self._pause = self._redis.register_script(_PAUSE)

    @property
    def available(self) -> bool:
        """False while Redis is taken for down (this worker paces alone)."""
        return self._down_until is None

    async def reserve(self) -> float | None:
        """Reserve the next slot of the shared budget: seconds to wait for it (None: pace locally)."""
        if not self._ready():
            return None
        try:
            wait = await self._reserve(keys=self._keys, args=[self._interval, self._tolerance])
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
            return None
        self._came_back()
        return max(0.0, int(wait) / 1_000_000)

    async def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after: every worker's next grant waits until then."""
        if not self._ready():
            return
        try:
            await self._pause(keys=self._keys[1:], args=[max(1, round(seconds * 1000))])
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()

    def _ready(self) -> bool:
        return self._down_until is None or self._monotonic() >= self._down_until

    def _went_down(self, exc: BaseException) -> None:
        if self._down_until is None:
            logger.error(
                "shared pacer: Redis at %s unreachable (%s: %s); this worker paces its sends "
                "alone (SEND_RATE) until it answers again",
                self._where,
                type(exc).__name__,
                exc,
            )
        self._down_until = self._monotonic() + self._retry

    def _came_back(self) -> None:
        if self._down_until is not None:
            logger.info("shared pacer: Redis at %s answers again; pacing shared", self._where)
            self._down_until = None


def _where(url: str) -> str:
    """host:port/db of a Redis URL, without any password."""
    parts = urlsplit(url)
    return (
        f"{parts.hostname or parts.path}:{parts.port or 6379}{parts.path if parts.hostname else ''}"
    )
