"""The delivery window for any QUIET_HOURS: crossing midnight (21:00-08:00) or not (00:00-07:00, 12:00-14:00)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.calendar.window import deliverable, next_deliverable
from bot.services.calendar.workdays import WorkCalendar
from bot.services.reminders.ladder import LadderRules, next_window, sending_window

ZONE = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
WEDNESDAY = (2026, 12, 2)


def _at(hour: int, minute: int = 0, day: tuple[int, int, int] = WEDNESDAY) -> datetime:
    return datetime(*day, hour, minute, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("quiet", "open_at", "closed_at", "opens"),
    [
        ((time(0, 0), time(7, 0)), (10, 15, 23), (3,), (7, 0)),
        ((time(12, 0), time(14, 0)), (10, 15, 22), (12, 13), (14, 0)),
        ((time(21, 0), time(8, 0)), (10, 15, 20), (22, 7), None),
    ],
)
def test_reminders_are_selected_outside_any_quiet_window(
    quiet: tuple[time, time],
    open_at: tuple[int, ...],
    closed_at: tuple[int, ...],
    opens: tuple[int, int] | None,
) -> None:
    rules = LadderRules(quiet_from=quiet[0], quiet_until=quiet[1])
    for hour in open_at:
        assert sending_window(rules, now=_at(hour), zone=ZONE, calendar=CAL), hour
        assert next_window(rules, now=_at(hour), zone=ZONE, calendar=CAL) == _at(hour)
    for hour in closed_at:
        assert not sending_window(rules, now=_at(hour), zone=ZONE, calendar=CAL), hour
    if opens is not None:
        assert next_window(rules, now=_at(closed_at[0]), zone=ZONE, calendar=CAL) == _at(*opens)


def test_saturday_night_waits_for_monday_morning() -> None:
    saturday_night = _at(22, 30, (2026, 12, 5))
    for quiet, morning in (
        ((time(21, 0), time(8, 0)), (8, 0)),
        ((time(0, 0), time(7, 0)), (7, 0)),
        ((time(12, 0), time(14, 0)), (9, 0)),  # no night quiet: the day starts at REMINDER_TIME
    ):
        rules = LadderRules(quiet_from=quiet[0], quiet_until=quiet[1])
        assert not deliverable(rules, now=saturday_night, zone=ZONE, calendar=CAL)
        assert next_deliverable(rules, now=saturday_night, zone=ZONE, calendar=CAL) == _at(
            *morning, (2026, 12, 7)
        )


def test_after_the_evening_quiet_starts_the_next_working_morning_is_next() -> None:
    rules = LadderRules()
    assert next_window(rules, now=_at(22, 30), zone=ZONE, calendar=CAL) == _at(8, 0, (2026, 12, 3))
    assert next_window(rules, now=_at(8, 30), zone=ZONE, calendar=CAL) == _at(8, 30)
