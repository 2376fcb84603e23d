"""Real `serve` workers on one database: each update handled once, a killed worker's updates redelivered, the scheduler taken over, an older schema refused, one send rate."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlmodel import select

from bot.localchat.fake_api import FakeBotAPI
from storage.db import create_engine, session_factory
from storage.models import AuditEntry, Person
from tests.serving.workers import Serve, env, invites, start, until
from tests.test_end_to_end import _message

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgres"], indirect=True)
_IDS = itertools.count(50_000)


def _update(user: int, text: str) -> dict[str, Any]:
    return {"update_id": next(_IDS), **_message(user, text)}


def _texts(fake: FakeBotAPI, chat: int, since: int = 0) -> list[str]:
    return [s.plain for s in fake.sent_since(since) if s.chat_id == chat and s.plain]


def _leads(worker: Serve) -> bool:
    return any("this instance runs the scheduler" in line for line in worker.log)


async def _binds(db_url: str) -> tuple[dict[str, int | None], Counter[str]]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            bound = dict((await session.exec(select(Person.code, Person.telegram_id))).all())
            audit = select(AuditEntry.detail).where(AuditEntry.action == "bind")
            binds = Counter((await session.exec(audit)).all())
    finally:
        await engine.dispose()
    return bound, binds


@ON_POSTGRES
async def test_two_workers_on_one_postgres(
    own_token_server: FakeBotAPI, db_url: str, unused_tcp_port_factory: Any
) -> None:
    """One pair of workers (each start costs seconds), four things in turn: the same updates
    at both at once apply once; a wave of replies keeps one send rate across both (Redis); the
    scheduler's holder SIGKILLed mid-update loses nothing when Telegram delivers again; the
    other worker takes the scheduler over."""
    fake, rate = own_token_server, 5.0
    sent: list[tuple[int, float]] = []
    fake.observers.append(
        lambda method, p: (
            sent.append((int(p["chat_id"]), time.monotonic())) if method == "sendMessage" else None
        )
    )
    redis = await _redis_url()
    extra = {"BOT_TOKEN": fake.token or "", "SEND_RATE": str(rate)}
    if redis is not None:
        extra["REDIS_URL"] = redis
    codes = await invites(db_url)
    people = sorted(codes)
    racers = {code: 9_400_000 + n for n, code in enumerate(people[:8])}
    binders = {code: 9_410_000 + n for n, code in enumerate(people[8:13])}
    wave = [9_430_000 + n for n in range(20)]
    strangers = [9_420_000 + n for n in range(5)]
    first, second = await asyncio.gather(
        start(env(db_url, fake.base_url, unused_tcp_port_factory(), **extra)),
        start(env(db_url, fake.base_url, unused_tcp_port_factory(), **extra)),
    )
    try:
        # 1. Telegram retrying an update while its first delivery still runs, at another worker
        races = [_update(user, f"/start {codes[code]}") for code, user in racers.items()]
        statuses = await asyncio.gather(*(w.post(u) for u in races for w in (first, second)))
        assert set(statuses) == {200}, statuses
        # 2. a wave of replies split over both workers, through the one shared budget
        posts = [(first, second)[n % 2].post(_update(u, "/my")) for n, u in enumerate(wave)]
        assert set(await asyncio.gather(*posts)) == {200}
        # 3. the scheduler's holder killed with ten updates in flight
        await until(lambda: _leads(first) or _leads(second), "one of them leads")
        a, b = (first, second) if _leads(first) else (second, first)
        updates = [_update(user, f"/start {codes[code]}") for code, user in binders.items()]
        updates += [_update(user, "/my") for user in strangers]
        fake.delays["sendmessage"] = 600  # every reply hangs: the updates stay in flight
        in_flight = [asyncio.create_task(a.post(u)) for u in updates]
        await until(lambda: fake.stalled.get("sendmessage", 0) >= 10, "10 updates in flight")
        await a.kill()  # SIGKILL: none of them was answered
        assert set(await asyncio.gather(*in_flight)) == {599}
        fake.delays.clear()
        mark = fake.mark()
        # 4. the other worker takes the scheduler over; Telegram delivers the updates again
        took = await until(lambda: _leads(b), "b takes over")
        assert took < 60
        status, health = await b.health()
        assert status == 200 and health["leading"] is True, health
        assert set(await asyncio.gather(*(b.post(u) for u in updates))) == {200}
        await asyncio.sleep(0.5)  # a doubled reply would arrive now
        # 5. the worker serves the web view's pages beside its webhook (WEB_URL's path)
        async with (
            aiohttp.ClientSession() as http,
            http.get(b.url + "/web/district", allow_redirects=False) as page,
        ):
            assert page.status == 401 and "发送 /web" in await page.text()
    finally:
        await asyncio.gather(first.stop(), second.stop())
    assert b.process.returncode == 0, b.log
    print(f"scheduler taken over {took:.1f} s after the leader's SIGKILL")  # noqa: T201

    bound, binds = await _binds(db_url)
    for code, user in racers.items():
        told = _texts(fake, user)
        assert len(told) == 1, f"{code} was answered {told}"
        assert "绑定成功" in told[0]
    for code, user in {**racers, **binders}.items():
        assert bound[code] == user
    assert len(binds) == 13 and set(binds.values()) == {1}, "a bind was applied twice"
    for user in strangers:  # a read-only reply cut by the kill is sent again, once
        assert len(_texts(fake, user, mark)) == 1
    assert fake.webhook is not None
    assert fake.webhook["url"] == "https://bot.example.org/tg/hook"
    assert fake.webhook["drop_pending_updates"] in (False, "false")
    assert "message" in str(fake.webhook["allowed_updates"])

    replies = [at for chat, at in sent if chat in wave]
    assert len(replies) == 20
    if redis is None:
        pytest.skip("Redis 不可用：共享发送速率未测")
    overall = (len(replies) - 1) / (replies[-1] - replies[0])
    busiest = max(sum(1 for t in replies if s <= t < s + 1.0) for s in replies)
    assert overall <= rate * 1.15, f"{overall:.2f}/s across both workers (SEND_RATE {rate})"
    assert busiest <= rate + 2, f"{busiest} sends in one second"


async def _redis_url() -> str | None:
    """Redis at 127.0.0.1:6379, or None when it does not answer."""
    url = "redis://127.0.0.1:6379/0"
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception:
        return None
    finally:
        await client.aclose()
    return url


@pytest.fixture
async def own_token_server() -> AsyncIterator[FakeBotAPI]:
    """A fake Bot API for a bot id of its own: the shared budget's key is the test's alone."""
    token = f"{uuid.uuid4().int % 10**9 + 10**9}:" + "P" * 35
    fake = FakeBotAPI(username="lvze_pace_bot", token=token)
    await fake.start()
    yield fake
    await fake.stop()
