"""Reminders as an operator runs them: `python -m bot tick`, and two `bot run` sharing one database."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.localchat.fake_api import FakeBotAPI
from bot.services.outbox import OutboxMessage, enqueue
from storage.db import create_engine, session_factory
from tests.conftest import PROJECT
from tests.services.helpers import district, edit
from tests.test_end_to_end import _bot, _env
from tests.test_restarts import _until

P0101 = 9_400_101
P0105 = 9_400_105
P0001 = 9_400_001


async def _district(env: dict[str, str], tmp_path: Path) -> None:
    """The sample district, with P0101, P0105 and P0001 bound through the import's Telegram id."""
    folder = district(tmp_path)
    for person, user in (("P0101", P0101), ("P0105", P0105), ("P0001", P0001)):
        edit(folder, "people.csv", person, "Telegram用户ID", str(user))
    status, _, err = await _bot(env, "import", str(folder))
    assert status == 0, err


WEDNESDAY = datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _enqueue_now(db_url: str, chat: int, text: str, at: datetime | None = None) -> None:
    """A message due now (real time, or `at`: the bot's BOT_NOW clock), as a notice would be
    queued."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            now = at or datetime.now(UTC)
            message = OutboxMessage(
                dedupe_key=f"test:{now.isoformat()}",
                chat_id=chat,
                person_id=None,
                text=text,
                not_before=now,
                kind="system",
            )
            await enqueue(session, messages=[message], now=now)
            await session.commit()
    finally:
        await engine.dispose()


def _to(server: FakeBotAPI, chat: int, mark: int = 0) -> list[str]:
    return [
        s.plain
        for s in server.sent_since(mark)
        if s.chat_id == chat and s.method == "sendMessage" and s.plain
    ]


async def test_tick_sends_once_and_a_second_tick_for_the_same_instant_sends_nothing(
    server: FakeBotAPI, db_url: str, tmp_path: Path
) -> None:
    # imported by the real clock, ticked at a fixed day: no grace before escalation
    env = _env(db_url, server.base_url, ESCALATION_GRACE_DAYS="0")
    await _district(env, tmp_path)
    mark = server.mark()
    code, out, err = await _bot(env, "tick", "--now", "2026-11-25T09:30")
    assert code == 0, err
    assert "已发送" in out
    mine = _to(server, P0101, mark)
    assert len(mine) == 1
    assert "【C04】" in mine[0]
    assert "🔴" in mine[0]
    assert any("逾期事项汇总" in text for text in _to(server, P0105, mark))
    assert any("约谈提醒名单" in text for text in _to(server, P0001, mark))

    mark = server.mark()
    code, out, err = await _bot(env, "tick", "--now", "2026-11-25T09:30")
    assert code == 0, err
    assert "新写入发件箱 0 条" in out
    assert server.sent_since(mark) == []

    code, out, err = await _bot(env, "tick", "--now", "2026-11-28T10:00")  # a Saturday
    assert code == 0, err
    assert "非工作日" in out


async def test_tick_with_a_malformed_time_says_how_to_write_it(
    server: FakeBotAPI, db_url: str
) -> None:
    code, _, err = await _bot(_env(db_url, server.base_url), "tick", "--now", "明天九点")
    assert code == 2
    assert "ISO 8601" in err
    assert "Traceback" not in err


async def test_two_instances_one_sender_and_the_standby_takes_over(
    server: FakeBotAPI, db_url: str, tmp_path: Path
) -> None:
    # both run on a working morning (the sending window holds at delivery), whatever the hour
    env = _env(db_url, server.base_url, BOT_NOW=WEDNESDAY.isoformat())
    await _district(env, tmp_path)
    mark = server.mark()  # the leader's start-up run may send Wednesday's reminders itself
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env, stderr=asyncio.subprocess.PIPE
    )
    await asyncio.sleep(3)
    second = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert second.stderr is not None
    log: list[str] = []

    async def read() -> None:
        assert second.stderr is not None
        async for line in second.stderr:
            log.append(line.decode())

    reader = asyncio.create_task(read())
    try:
        await _until(lambda: any("standing by" in line for line in log), "the second stands by")
        # Telegram allows one getUpdates per token (a second gets 409 Conflict): no polling
        assert not any("polling for updates" in line for line in log)
        await asyncio.sleep(2)
        code, out, err = await _bot(env, "tick", "--now", "2026-11-25T09:30")
        assert code == 0, err
        assert "由它发送" in out  # the running leader holds the sender
        await _until(lambda: bool(_to(server, P0101, mark)), "the leader delivers")
        first.kill()  # SIGKILL: the lock goes with the process
        await first.wait()
        await _until(
            lambda: any("runs the scheduler" in line for line in log),
            "the standby takes over",
            seconds=60,
        )
        await _until(lambda: any("polling for updates" in line for line in log), "it polls")
        await _enqueue_now(db_url, P0101, "接管测试：新的发送者送达", at=WEDNESDAY)
        await _until(
            lambda: any("接管测试" in text for text in _to(server, P0101, mark)),
            "the new leader's sender delivers",
        )
        await asyncio.sleep(2)
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), timeout=60)
        reader.cancel()
    texts = [
        (s.chat_id, s.text)
        for s in server.sent_since(0)
        if s.method == "sendMessage" and s.text and "履责提醒" in s.text
    ]
    assert Counter(texts).most_common(1)[0][1] == 1, "a reminder went out twice"
