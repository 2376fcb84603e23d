"""The send budget shared over Redis: two pacers (two workers) keep one rate, share a 429's pause, and go on alone without Redis."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.telegram.budget import SharedBudget
from bot.telegram.pacer import Pacer

URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def bot_id() -> AsyncIterator[str]:
    """A bot id of the test's own (its budget key), the key removed afterwards; skipped without Redis."""
    client = Redis.from_url(URL, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.skip(f"Redis 不可用（{URL}: {exc}）")
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    await client.delete(f"lvze:pacer:{name}", f"lvze:pacer:{name}:pause")
    await client.aclose()


async def _grants(pacer: Pacer, chats: range) -> list[float]:
    async def one(chat: int) -> float:
        await pacer.acquire(chat)
        return time.monotonic()

    return list(await asyncio.gather(*(one(chat) for chat in chats)))


async def test_two_pacers_on_one_budget_keep_one_rate(bot_id: str) -> None:
    rate = 20.0
    budgets = [SharedBudget(URL, bot_id=bot_id, rate=rate) for _ in range(2)]
    pacers = [Pacer(rate=rate, budget=budget) for budget in budgets]
    try:
        started = time.monotonic()
        first, second = await asyncio.gather(
            _grants(pacers[0], range(1, 31)), _grants(pacers[1], range(101, 131))
        )
    finally:
        for budget in budgets:
            await budget.close()
    times = sorted(first + second)
    took = times[-1] - started
    # 60 grants at 20/s overall: ~3 s (each pacer alone would have let its 30 through in 1.5 s)
    assert took >= (60 - 1.5) / rate * 0.95, f"{took:.2f} s"
    busiest = max(sum(1 for t in times if s <= t < s + 1.0) for s in times)
    assert busiest <= rate + 2


async def test_a_429_met_by_one_worker_pauses_the_other(bot_id: str) -> None:
    budgets = [SharedBudget(URL, bot_id=bot_id, rate=50.0) for _ in range(2)]
    told, other = (Pacer(rate=50.0, budget=budget) for budget in budgets)
    try:
        await told.acquire(1)
        told.pause(0.6)  # Telegram: retry after 0.6 s
        await asyncio.sleep(0.05)  # the pause reaches Redis
        started = time.monotonic()
        await other.acquire(2)
        waited = time.monotonic() - started
    finally:
        for budget in budgets:
            await budget.close()
    assert waited >= 0.4, f"the other worker sent after {waited:.2f} s"


async def test_without_redis_each_pacer_goes_on_alone_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    budget = SharedBudget("redis://127.0.0.1:1/0", bot_id="down", rate=50.0)
    pacer = Pacer(rate=50.0, budget=budget)
    try:
        with caplog.at_level(logging.INFO, logger="bot.telegram.budget"):
            started = time.monotonic()
            await _grants(pacer, range(1, 11))
            took = time.monotonic() - started
    finally:
        await budget.close()
    assert took < 1.5
    assert not budget.available
    lines = [r for r in caplog.records if r.name == "bot.telegram.budget"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.ERROR
    assert "127.0.0.1:1" in lines[0].getMessage()


@contextlib.asynccontextmanager
async def _slow_redis(delay: float) -> AsyncIterator[str]:
    """A proxy to the test Redis that holds every answer `delay` seconds (Redis busy at a load
    peak, or a slow network): its URL."""

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hold: float) -> None:
        try:
            while data := await reader.read(65536):
                await asyncio.sleep(hold)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    pumps: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        for task in (pump(reader, up_writer, 0.0), pump(up_reader, writer, delay)):
            pumps.add(asyncio.create_task(task))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.close()
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def test_a_slow_redis_is_still_shared_not_taken_for_down(bot_id: str) -> None:
    async with _slow_redis(0.4) as url:
        budget = SharedBudget(url, bot_id=bot_id, rate=50.0)
        try:
            wait = await budget.reserve()
        finally:
            await budget.close()
    assert wait is not None, "a healthy Redis answering in 0.4 s was taken for unreachable"
    assert budget.available
