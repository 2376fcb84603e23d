"""Settings: the bot's own zone is BOT_TIMEZONE, whatever the operating system's TZ says."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from tests.conftest import PROJECT


def test_the_process_tz_does_not_change_the_bot_zone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("BOT_TIMEZONE=Asia/Shanghai\n", encoding="utf-8")
    assert Settings().zone == ZoneInfo("Asia/Shanghai")


def test_the_bot_zone_defaults_to_shanghai_even_with_tz_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    monkeypatch.delenv("BOT_TIMEZONE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().zone == ZoneInfo("Asia/Shanghai")


async def test_migrate_works_with_the_systemd_style_tz(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **keep,
        "TZ": ":/etc/localtime",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        cwd=PROJECT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
