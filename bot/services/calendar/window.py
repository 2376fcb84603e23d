"""The delivery window: working days, from the morning on, outside QUIET_HOURS (crossing midnight or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.workdays import load_calendar

SEARCH_DAYS = 400  # a calendar with no working day this far ahead is broken; stop looking


class Hours(Protocol):
    """What the window needs of the settings (bot.services.reminders.ladder.LadderRules has it)."""

    @property
    def send_at(self) -> time: ...

    @property
    def quiet_from(self) -> time: ...

    @property
    def quiet_until(self) -> time: ...


class Workdays(Protocol):
    """What the window needs of the working-day calendar."""

    def is_working(self, day: date) -> bool: ...


def is_quiet(hours: Hours, moment: time) -> bool:
    """True inside QUIET_HOURS: 21:00-08:00 crosses midnight, 12:00-14:00 and 00:00-07:00 do not."""
    start, end = hours.quiet_from, hours.quiet_until
    if start == end:
        return False  # refused at start-up (bot.config); an empty window here
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def morning(hours: Hours) -> time:
    """When a working day's deliveries may begin: the end of the night's quiet or REMINDER_TIME,
    whichever is earlier (08:00 with the defaults; 09:00 with QUIET_HOURS=12:00-14:00)."""
    return min(hours.send_at, hours.quiet_until)


def deliverable(hours: Hours, *, now: datetime, zone: ZoneInfo, calendar: Workdays) -> bool:
    """True when a bulk message may be delivered at `now`: a working day, morning on, not quiet."""
    local = now.astimezone(zone)
    moment = local.timetz().replace(tzinfo=None)
    if not calendar.is_working(local.date()) or moment < morning(hours):
        return False
    return not is_quiet(hours, moment)


def next_deliverable(
    hours: Hours, *, now: datetime, zone: ZoneInfo, calendar: Workdays
) -> datetime:
    """The first instant at or after `now` when a bulk message may be delivered."""
    if deliverable(hours, now=now, zone=zone, calendar=calendar):
        return now
    local = now.astimezone(zone)
    day = local.date()
    for offset in range(SEARCH_DAYS):
        current = day + timedelta(days=offset)
        if not calendar.is_working(current):
            continue
        start = morning(hours)
        if offset == 0:
            start = max(start, local.timetz().replace(tzinfo=None))
        found = _first_open(hours, start)
        if found is not None:
            return datetime.combine(current, found, tzinfo=zone)
    raise ValueError(f"no working day within {SEARCH_DAYS} days of {day.isoformat()}")


def _first_open(hours: Hours, start: time) -> time | None:
    """The first moment at or after `start` on the same day that is not quiet, if any."""
    if not is_quiet(hours, start):
        return start
    end = hours.quiet_until
    if hours.quiet_from < end:  # quiet ends the same day
        return end if end > start else None
    return end if start < end else None  # before the night's end, else quiet till midnight


@dataclass(frozen=True)
class SendingWindow:
    """The window the outbox sender holds bulk messages to (built in bot.app from the settings)."""

    hours: Hours
    zone: ZoneInfo


async def delivery_opens(
    session: AsyncSession, *, window: SendingWindow, now: datetime
) -> datetime:
    """`now` if a bulk message may go out now, else when it may (the calendar as stored now)."""
    calendar = await load_calendar(session)
    return next_deliverable(window.hours, now=now, zone=window.zone, calendar=calendar)


async def bulk_not_before(
    session: AsyncSession, *, window: SendingWindow | None, now: datetime
) -> datetime:
    """The not_before of a bulk outbox row queued at `now`: when the window next opens (None: now)."""
    return now if window is None else await delivery_opens(session, window=window, now=now)
