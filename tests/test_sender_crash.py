"""A sender killed with SIGKILL in the middle of a 300-message wave, then restarted: none lost, only in-flight ones twice."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlmodel import col, select

from bot.localchat.chatlog import Json
from bot.localchat.fake_api import FakeBotAPI
from bot.services.outbox import OutboxMessage, enqueue
from storage.db import create_engine, migrate, session_factory
from storage.models import Outbox, OutboxState
from tests.conftest import PROJECT
from tests.factories import NOW
from tests.test_end_to_end import _env

WAVE = 300


async def _until(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sender_child",
        cwd=PROJECT,
        env=env,
        stderr=log.open("ab"),
    )


async def _sent_keys(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.exec(
                select(col(Outbox.dedupe_key)).where(col(Outbox.state) == OutboxState.SENT)
            )
            return set(rows.all())
    finally:
        await engine.dispose()


async def test_sigkill_mid_wave_loses_nothing_and_doubles_only_what_was_in_flight(
    server: FakeBotAPI, db_url: str, tmp_path: Path
) -> None:
    engine = create_engine(db_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            messages = [
                OutboxMessage(
                    dedupe_key=f"wave:{n}",
                    chat_id=70_000 + n,
                    person_id=None,
                    text=f"wave:{n}",
                    not_before=NOW,
                    kind="reminder",
                )
                for n in range(WAVE)
            ]
            assert await enqueue(session, messages=messages, now=NOW) == WAVE
            await session.commit()
    finally:
        await engine.dispose()

    arrived: list[str] = []  # every sendMessage as it reaches "Telegram", in order

    def observe(method: str, params: Json) -> None:
        if method.lower() == "sendmessage":
            arrived.append(str(params["text"]))

    server.observers.append(observe)
    server.delays["sendmessage"] = 0.3  # Telegram answers slowly: several sends in flight
    env = _env(
        db_url, server.base_url, SEND_RATE="100", BOT_NOW=NOW.isoformat()
    )  # a working morning
    log = tmp_path / "sender.log"
    child = await _start(env, log)
    try:
        await _until(lambda: len(arrived) >= WAVE // 3, "a third of the wave sent")
    finally:
        child.kill()  # SIGKILL
        await child.wait()
    before_kill = set(arrived)
    in_flight = before_kill - await _sent_keys(db_url)  # reached Telegram, not marked sent
    assert 0 < len(in_flight) <= 50, in_flight  # at most one claimed batch

    child = await _start(env, log)
    try:
        await _until(lambda: len(set(arrived)) == WAVE, "every message delivered", 30)
        for _ in range(300):  # every row marked, within a minute
            if len(await _sent_keys(db_url)) == WAVE:
                break
            await asyncio.sleep(0.2)
        assert len(await _sent_keys(db_url)) == WAVE
    finally:
        child.send_signal(signal.SIGTERM)
        await asyncio.wait_for(child.wait(), 60)
    assert child.returncode == 0, log.read_text()

    counts = Counter(arrived)
    assert set(counts) == {f"wave:{n}" for n in range(WAVE)}  # none lost
    doubled = {key for key, count in counts.items() if count > 1}
    assert doubled <= in_flight, (doubled - in_flight, log.read_text())
    assert max(counts.values()) <= 2
    assert "queued again" in log.read_text()  # the restart recovered the claimed rows
