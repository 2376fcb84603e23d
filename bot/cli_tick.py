"""`python -m bot tick [--now ISO-TIME]`: one reminder run, written all or nothing, then delivered."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.app import build_app, close
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.texts import reminders as words
from scheduler.jobs import remind, roll_periods
from scheduler.lock import SchedulerLock, sqlite_file
from storage.db import migrate


def parse_now(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 instant; without an offset it is read in the bot's zone. ValueError if malformed."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


async def tick(settings: Settings, when: str | None) -> int:
    """Roll periods, run the reminder selection as of `when`, deliver (or hand to a running bot)."""
    try:
        now = parse_now(when, settings.zone) if when else SystemClock().now()
    except ValueError:
        _err(words.TICK_BAD_NOW.format(value=when))
        return 2
    app = build_app(settings, clock=ManualClock(now))
    lock = SchedulerLock(app.engine, sqlite_file(settings.db_url))
    try:
        await migrate(app.engine)
        await roll_periods(app.jobs, now)
        report = await remind(app.jobs, now)
        local = now.astimezone(settings.zone)
        when = f"{local:%Y-%m-%d %H:%M}"
        if not report.in_window:
            print(words.TICK_OUTSIDE.format(when=when))
        else:
            print(words.TICK_QUEUED.format(when=when, messages=report.messages, steps=report.steps))
        if await lock.try_acquire():
            # the only sender now: rows a killed `tick` (or bot) left claimed go out with this one
            if recovered := await app.sender.recover():
                print(words.TICK_RECOVERED.format(count=recovered))
            sent = await app.sender.drain_once(now)
            print(words.TICK_SENT.format(sent=sent.sent, failed=sent.failed, retry=sent.retry))
        else:
            print(words.TICK_HANDED)
    finally:
        await lock.release()
        await close(app)
    return 0


def _err(line: str) -> None:
    print(line, file=sys.stderr)
