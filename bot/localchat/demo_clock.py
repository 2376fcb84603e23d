"""The demo's clock: a fixed demo day by default, kept beside the demo database across restarts."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# The day the README's walkthroughs are written for (a Thursday, a working day): on it the demo
# shows what the README says, whatever day `make demo` is run.
DEMO_DAY = date(2026, 11, 26)
DEMO_TIME = time(9, 30)
_SUFFIX = ".clock"


class BadDemoDay(ValueError):
    """`--today` that is not a day (YYYY-MM-DD) or an instant (YYYY-MM-DD HH:MM); Chinese text."""


def clock_file(db: Path) -> Path:
    """Where the demo database's clock is kept: beside it, deleted with it by `--reset`."""
    return db.with_name(db.name + _SUFFIX)


def parse_today(text: str, zone: ZoneInfo) -> datetime:
    """`2026-12-03` (at 09:30) or `2026-12-03 14:00` / `2026-12-03T14:00`, local to `zone`."""
    cleaned = text.strip().replace("T", " ")
    with contextlib.suppress(ValueError):
        return datetime.strptime(cleaned, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    with contextlib.suppress(ValueError):
        day = datetime.strptime(cleaned, "%Y-%m-%d").replace(tzinfo=zone).date()
        return datetime.combine(day, DEMO_TIME, tzinfo=zone)
    raise BadDemoDay(
        f"看不懂 --today {text}；例如 --today 2026-12-03 或 --today '2026-12-03 14:00'"
    )


def demo_start(
    db: Path, *, today: datetime | None, zone: ZoneInfo, real_now: datetime
) -> tuple[datetime, str]:
    """The instant the chat starts at, and why: `today` when given, else the clock this
    database was left at, else the demo day at 09:30 — or, for a database an older demo made
    without a saved clock (its history written up to the real day it ran), the real time."""
    if today is not None:
        return today, "--today"
    saved = read_clock(db)
    if saved is not None:
        return saved, "saved"
    if db.exists():
        return real_now, "legacy"
    return datetime.combine(DEMO_DAY, DEMO_TIME, tzinfo=zone), "demo"


def read_clock(db: Path) -> datetime | None:
    """The instant saved for this database, None when there is none (or it is unreadable)."""
    path = clock_file(db)
    if not db.exists() or not path.exists():
        return None
    try:
        saved = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except ValueError:
        logger.warning("demo clock %s unreadable; starting on the demo day", path)
        return None
    return saved if saved.tzinfo is not None else None


def save_clock(db: Path, now: datetime) -> None:
    """Remember `now` for the next start on this database."""
    clock_file(db).write_text(now.isoformat() + "\n", encoding="utf-8")
