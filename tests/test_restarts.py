"""A real `bot run` killed or stopped mid-work: updates handled exactly once, running work not dropped."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter

from sqlmodel import select

from bot.localchat.fake_api import FakeBotAPI
from storage.db import create_engine, session_factory
from storage.models import AuditEntry, Person
from tests.conftest import DISTRICT, PROJECT
from tests.handlers.test_admin import workbook
from tests.test_end_to_end import _bot, _env, _message

STRANGERS = [9_300_000 + n for n in range(10)]
ADMIN = 9_300_100


async def _start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env, stderr=asyncio.subprocess.PIPE
    )


async def _until(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _prepared(env: dict[str, str]) -> dict[str, str]:
    """Import the sample district; the invite code of every person."""
    code, _, err = await _bot(env, "import", str(DISTRICT))
    assert code == 0, err
    code, out, err = await _bot(env, "invite", "--all")
    assert code == 0, err
    return {row.split("\t")[0]: row.split("\t")[3] for row in out.splitlines()[1:]}


def _texts_to(fake: FakeBotAPI, chat: int, since: int = 0) -> list[str]:
    return [s.plain for s in fake.sent_since(since) if s.chat_id == chat and s.plain]


async def test_sigkill_with_twenty_updates_in_flight_loses_none_and_doubles_no_effect(
    server: FakeBotAPI, db_url: str
) -> None:
    env = _env(db_url, server.base_url)
    invites = await _prepared(env)
    people = sorted(invites)[:10]
    binders = {code: 9_310_000 + n for n, code in enumerate(people)}
    server.delays["sendmessage"] = 600  # every reply hangs: the updates stay in flight
    bot = await _start(env)
    try:
        for code, user in binders.items():
            server.push_update(_message(user, f"/start {invites[code]}"))
        for user in STRANGERS:
            server.push_update(_message(user, "你好"))
        await _until(lambda: server.stalled.get("sendmessage", 0) >= 20, "20 replies in flight")
    finally:
        bot.kill()  # SIGKILL
        await bot.wait()
    server.delays.clear()
    mark = server.mark()
    bot = await _start(env)
    try:
        await _until(
            lambda: all(_texts_to(server, user, mark) for user in STRANGERS),
            "every stranger answered after the restart",
        )
        await asyncio.sleep(1.0)  # anything doubled would arrive now
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), timeout=60)
    assert bot.returncode == 0, err.decode()

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            bound = dict((await session.exec(select(Person.code, Person.telegram_id))).all())
            binds = Counter(
                (
                    await session.exec(select(AuditEntry.detail).where(AuditEntry.action == "bind"))
                ).all()
            )
    finally:
        await engine.dispose()
    for code, user in binders.items():
        assert bound[code] == user, f"{code} lost its binding"
    assert len(binds) == 10
    assert set(binds.values()) == {1}, "a bind was applied twice"
    for user in STRANGERS:  # a read-only reply cut by the kill is sent again, once
        assert len(_texts_to(server, user, mark)) == 1
    assert server.pending_updates() == 0, "every update was confirmed in the end"


async def _sigterm_during_an_import(
    server: FakeBotAPI, env: dict[str, str], *, stall: float
) -> tuple[int, str, int]:
    """Bind the admin, send a workbook whose download stalls `stall` s, SIGTERM meanwhile.

    Returns the exit code, the log and the fake's mark from before the workbook was sent."""
    invites = await _prepared(env)
    bot = await _start(env)
    try:
        server.push_update(_message(ADMIN, f"/start {invites['P0001']}"))
        await _until(lambda: bool(_texts_to(server, ADMIN)), "the admin bound")
        server.delays["download"] = stall
        mark = server.mark()
        sheet = workbook({"单位": [["U12", "区司法局", "政府行政部门类", ""]]})
        server.push_update(_document(server, ADMIN, sheet))
        await _until(lambda: server.stalled.get("download", 0) == 1, "the import running")
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), timeout=60)
    finally:
        if bot.returncode is None:
            bot.kill()
    return bot.returncode or 0, err.decode(), mark


async def test_sigterm_lets_a_running_import_finish(server: FakeBotAPI, db_url: str) -> None:
    env = _env(db_url, server.base_url)
    code, err, mark = await _sigterm_during_an_import(server, env, stall=2.0)
    assert code == 0, err
    assert any("导入完成" in text for text in _texts_to(server, ADMIN, mark))
    assert "unfinished" not in err


async def test_sigterm_past_the_grace_rolls_back_tells_the_user_and_redoes_it_after_restart(
    server: FakeBotAPI, db_url: str
) -> None:
    env = _env(db_url, server.base_url, SHUTDOWN_GRACE="0.5")
    code, err, mark = await _sigterm_during_an_import(server, env, stall=600)
    assert code == 0, err
    assert " ERROR " in err
    assert "unfinished" in err
    told = _texts_to(server, ADMIN, mark)
    assert any("没来得及完成" in text for text in told)
    assert not any("导入完成" in text for text in told)

    server.delays.clear()
    mark = server.mark()
    bot = await _start(env)
    try:
        await _until(
            lambda: any("导入完成" in t for t in _texts_to(server, ADMIN, mark)),
            "the import handled after the restart",
        )
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.communicate(), timeout=60)


def _document(fake: FakeBotAPI, user: int, data: bytes) -> dict[str, object]:
    update = _message(user, "")
    message = update["message"]
    assert isinstance(message, dict)
    file_id = fake.add_file(data, "名单.xlsx")
    del message["text"], message["entities"]
    message["document"] = {**fake.file_meta(file_id), "file_name": "名单.xlsx"}
    return update
