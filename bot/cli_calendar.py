"""`python -m bot calendar import FILE | show [YEAR]`: admins' working-day overrides."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.services.calendar.periods import local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.errors import CalendarRejected
from bot.services.importing.overrides import check_whole_year, import_overrides, read_overrides
from bot.texts import calendar as calendar_texts
from storage.db import create_engine, migrate, session_factory

logger = logging.getLogger(__name__)


async def calendar_import(settings: Settings, path: Path, whole_year: int | None = None) -> int:
    """Check every line of the CSV; apply all of it in one transaction, or nothing (exit 1).
    `whole_year`: the file is that year's whole published schedule (the year becomes known)."""
    if not path.is_file():
        _err(f"错误：找不到文件 {path}（应为 CSV：日期,类型,说明）")
        return 1
    try:
        rows = read_overrides(path.read_bytes())
        if whole_year is not None:
            check_whole_year(rows, whole_year)
    except CalendarRejected as exc:
        _err(calendar_texts.render_problems(exc.problems))
        return 1
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            done = await import_overrides(
                session,
                rows=rows,
                source=path.name,
                now=SystemClock().now(),
                whole_year=whole_year,
            )
    finally:
        await engine.dispose()
    print(calendar_texts.render_import(done))
    return 0


async def calendar_show(settings: Settings, year: int | None) -> int:
    """Print a year's (default: this year's) days off on weekdays and working weekend days."""
    if year is not None and not 1950 <= year <= 9998:
        _err(f"错误：年份 {year} 超出范围。")
        return 2
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            calendar = await load_calendar(session)
    finally:
        await engine.dispose()
    shown = year if year is not None else local_date(SystemClock().now(), settings.zone).year
    print(calendar_texts.render_year(calendar, shown))
    return 0


def _err(line: str) -> None:
    print(line, file=sys.stderr)
