"""End to end, as an operator runs it: `import`, `invite --all`, `run` against a Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.localchat.fake_api import FakeBotAPI
from tests.conftest import DISTRICT, PROJECT, TOKEN

USERS = {"P0101": 9_100_001, "P0105": 9_100_002, "P0001": 9_100_003}


def _env(db_url: str, api: str, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {
        **keep,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": api,
        "DATABASE_URL": db_url,
        "BOT_TIMEZONE": "Asia/Shanghai",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


async def _bot(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=PROJECT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, out.decode(), err.decode()


def _message(user: int, text: str) -> dict[str, object]:
    entities = []
    if text.startswith("/"):
        length = len(text.split()[0])
        entities = [{"type": "bot_command", "offset": 0, "length": length}]
    return {
        "message": {
            "message_id": int(time.time() * 1000) % 1_000_000,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "测试"},
            "from": {"id": user, "is_bot": False, "first_name": "测试"},
            "text": text,
            "entities": entities,
        }
    }


async def _ask(fake: FakeBotAPI, user: int, text: str) -> str:
    """Queue a message for getUpdates and wait for the bot's answer to that chat (up to 90 s:
    the first answer waits for the process's start-up, which a loaded CI machine slows)."""
    mark = fake.mark()
    fake.push_update(_message(user, text))
    for _ in range(900):
        replies = [
            s for s in fake.sent_since(mark) if s.chat_id == user and s.method == "sendMessage"
        ]
        if replies:
            await asyncio.sleep(0.2)  # a split reply may still be arriving
            return "\n".join(s.plain for s in fake.sent_since(mark) if s.chat_id == user)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no answer to {text!r}")


async def test_import_invite_start_and_my_through_a_bot_api_server(
    server: FakeBotAPI, db_url: str
) -> None:
    env = _env(db_url, server.base_url)
    code, out, err = await _bot(env, "import", str(DISTRICT))
    assert code == 0, err
    assert "导入完成" in out

    code, out, err = await _bot(env, "invite", "--all")
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert len(rows) == 40
    invites = {row[0]: row[3] for row in rows}
    assert rows[0][4] == f"https://t.me/lvze_e2e_bot?start={rows[0][3]}"

    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        for person, user in USERS.items():
            assert "绑定成功" in await _ask(server, user, f"/start {invites[person]}")
        my = await _ask(server, USERS["P0101"], "/my")
        assert "【C01】" in my
        assert "陈立新的责任清单" in my
        assert "/unit" not in await _ask(server, USERS["P0101"], "/help")
        unit = await _ask(server, USERS["P0105"], "/unit")  # counts by person first, then pages
        assert "城关镇本期事项完成情况" in unit and "单位班子" in unit
        assert "/invite" in await _ask(server, USERS["P0001"], "/help")
        assert "尚未绑定" in await _ask(server, 9_100_999, "/my")
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err_bytes = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 0, err_bytes.decode()
    log = err_bytes.decode()
    assert "running as @lvze_e2e_bot" in log
    assert TOKEN.split(":")[1] not in log
    default_menu = server.commands_for(None)
    assert [c["command"] for c in default_menu] == ["start", "help"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_TOKEN": ""}, "BOT_TOKEN 未设置"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
async def test_a_bad_setting_stops_start_up_with_one_clear_line(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    base = _env(f"sqlite:///{tmp_path / 'x.sqlite3'}", "http://127.0.0.1:9")
    code, _, err = await _bot({**base, **env}, "run")
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
