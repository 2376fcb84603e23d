"""Settings: the bot's own zone is BOT_TIMEZONE, whatever the operating system's TZ says."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import ladder_rules
from bot.config import Settings, SettingsError, load_settings
from bot.services.calendar.workdays import WorkCalendar
from bot.services.reminders.ladder import sending_window
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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMINDER_TIME", "25:00"),
        ("QUIET_HOURS", "夜里"),
        ("QUIET_HOURS", "21:00-8点"),
        ("QUIET_HOURS", "08:00-08:00"),
        ("QUIET_HOURS", "08:00-07:00"),  # after REMINDER_TIME 09:00 every minute is quiet
        ("REMINDER_DAYS_BEFORE", "10,五,1"),
        ("SEND_RATE", "0"),
        ("SHUTDOWN_GRACE", "-1"),
    ],
)
def test_a_malformed_reminder_or_sending_setting_is_named_in_one_chinese_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"配置有误 — {name}: ") as raised:
        load_settings()
    assert "\n" not in str(raised.value)


def test_the_ladder_follows_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REMINDER_DAYS_BEFORE", "7，3")
    monkeypatch.setenv("QUIET_HOURS", "22:30-07:00")
    monkeypatch.setenv("ESCALATE_SECRETARY_AFTER", "2")
    rules = ladder_rules(load_settings())
    assert [step.name for step in rules.steps] == ["T7", "T3", "T0", "O1", "S", "A"]
    assert (rules.quiet_from, rules.quiet_until) == (time(22, 30), time(7, 0))


@pytest.mark.parametrize("quiet", ["00:00-07:00", "12:00-14:00", "22:00-06:30"])
def test_a_quiet_window_crossing_midnight_or_not_leaves_the_working_day_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, quiet: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIET_HOURS", quiet)
    rules = ladder_rules(load_settings())
    zone = ZoneInfo("Asia/Shanghai")
    for hour in (10, 15):  # a Wednesday
        now = datetime(2026, 12, 2, hour, 0, tzinfo=zone)
        assert sending_window(rules, now=now, zone=zone, calendar=WorkCalendar()), (quiet, hour)
