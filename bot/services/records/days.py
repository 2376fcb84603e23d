"""The day a record happened, as an official types it in reply to a date prompt."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.calendar.periods import local_date
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.matching.dates import named_day


def typed_day(text: str, *, now: datetime, zone: ZoneInfo) -> date:
    """The day `text` names (12月28日, 昨天, 上周五, 2026-12-28), never after today; refuses
    text naming no day, or a day still to come."""
    today = local_date(now, zone)
    day = named_day(text, today=today)
    if day is None:
        raise RecordRefused(RecordProblem.BAD_DATE)
    if day > today:
        raise RecordRefused(RecordProblem.FUTURE_DATE)
    return day
