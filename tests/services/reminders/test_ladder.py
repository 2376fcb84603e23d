"""The ladder's rules on the real calendar: National Day 2026 and its 调休, New Year and Spring Festival 2027."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.calendar.workdays import DayOverride, WorkCalendar
from bot.services.reminders.ladder import (
    LadderRules,
    escalations_due,
    holder_step_due,
    next_window,
    prompt_day,
    sending_window,
)

ZONE = ZoneInfo("Asia/Shanghai")
RULES = LadderRules()
CAL = WorkCalendar()


def _walk(
    due: date,
    first: date,
    last: date,
    calendar: WorkCalendar = CAL,
    down: frozenset[date] | set[date] = frozenset(),
) -> list[tuple[date, str]]:
    """Run the selection every day at 09:00 (skipping days the bot was down); what was sent when."""
    sent: set[str] = set()
    log: list[tuple[date, str]] = []
    day = first
    while day <= last:
        now = datetime.combine(day, time(9, 0), tzinfo=ZONE)
        if day not in down and sending_window(RULES, now=now, zone=ZONE, calendar=calendar):
            step = holder_step_due(RULES, due=due, today=day, calendar=calendar, sent=sent)
            if step is not None:
                sent.add(step.name)
                log.append((day, step.name))
            for rung in escalations_due(RULES, due=due, today=day, calendar=calendar, sent=sent):
                sent.add(rung.name)
                log.append((day, rung.name))
        day += timedelta(days=1)
    return log


def test_national_day_2026_with_its_working_weekends() -> None:
    effective = CAL.next_working(date(2026, 10, 1))
    assert effective == date(2026, 10, 8)  # 顺延 past the holiday
    log = _walk(effective, date(2026, 9, 1), date(2026, 11, 10))
    assert log == [
        (date(2026, 9, 17), "T10"),  # Sun 9-20 is a 调休 working day and counts
        (date(2026, 9, 23), "T5"),  # 9-25 is 中秋节
        (date(2026, 9, 30), "T1"),
        (date(2026, 10, 8), "T0"),
        (date(2026, 10, 9), "O1"),
        (date(2026, 10, 12), "S"),  # Sat 10-10 is worked: the third working day is Monday
        (date(2026, 10, 21), "A"),
    ]
    assert all(CAL.is_working(day) for day, _ in log)


def test_nothing_goes_out_on_the_holiday_or_a_normal_weekend() -> None:
    for day in (date(2026, 10, 1), date(2026, 10, 4), date(2026, 10, 17)):
        now = datetime.combine(day, time(10, 0), tzinfo=ZONE)
        assert not sending_window(RULES, now=now, zone=ZONE, calendar=CAL)
    worked_saturday = datetime(2026, 10, 10, 10, 0, tzinfo=ZONE)
    assert sending_window(RULES, now=worked_saturday, zone=ZONE, calendar=CAL)


def test_quiet_hours_wait_for_the_next_working_morning() -> None:
    evening = datetime(2026, 9, 30, 21, 30, tzinfo=ZONE)
    assert not sending_window(RULES, now=evening, zone=ZONE, calendar=CAL)
    assert next_window(RULES, now=evening, zone=ZONE, calendar=CAL) == datetime(
        2026, 10, 8, 8, 0, tzinfo=ZONE
    )
    early = datetime(2026, 10, 9, 6, 0, tzinfo=ZONE)
    assert next_window(RULES, now=early, zone=ZONE, calendar=CAL) == datetime(
        2026, 10, 9, 8, 0, tzinfo=ZONE
    )


def test_a_bot_down_across_the_steps_sends_the_latest_once_not_the_missed_ones() -> None:
    down = {date(2026, 9, 1) + timedelta(days=n) for n in range(37)}  # back on 10-08
    log = _walk(date(2026, 10, 8), date(2026, 9, 1), date(2026, 10, 9), down=down)
    assert log == [(date(2026, 10, 8), "T0"), (date(2026, 10, 9), "O1")]


def test_an_item_imported_late_starts_at_the_step_it_has_reached() -> None:
    log = _walk(date(2026, 12, 31), date(2026, 12, 28), date(2026, 12, 31))
    assert log == [
        (date(2026, 12, 28), "T5"),
        (date(2026, 12, 30), "T1"),
        (date(2026, 12, 31), "T0"),
    ]


def test_new_year_2027() -> None:
    assert not CAL.is_working(date(2027, 1, 1))
    effective = CAL.next_working(date(2027, 1, 1))
    assert effective == date(2027, 1, 4)
    log = _walk(effective, date(2026, 12, 1), date(2027, 1, 31))
    assert (date(2026, 12, 31), "T1") in log
    assert (date(2027, 1, 4), "T0") in log
    assert (date(2027, 1, 5), "O1") in log


def test_spring_festival_2027_from_an_override_file() -> None:
    official = {  # as an admin would import the schedule the day it is published
        date(2027, 2, 5) + timedelta(days=n): DayOverride(False, "春节") for n in range(9)
    }
    official[date(2027, 2, 20)] = DayOverride(True, "春节调休上班")
    calendar = WorkCalendar(official, known_years={2027})
    assert calendar.source(2027) == "override"
    effective = calendar.next_working(date(2027, 2, 10))
    assert effective == date(2027, 2, 15)
    log = _walk(effective, date(2027, 1, 15), date(2027, 3, 15), calendar=calendar)
    assert (date(2027, 2, 4), "T1") in log
    assert (date(2027, 2, 15), "T0") in log
    days = [day for day, _ in log]
    assert not any(date(2027, 2, 5) <= day <= date(2027, 2, 13) for day in days)
    o1 = [day for day, step in log if step == "S"]
    assert o1 == [date(2027, 2, 18)]


@pytest.mark.parametrize(
    ("period_end", "expected"),
    [
        (date(2026, 12, 31), date(2026, 12, 24)),
        (date(2026, 9, 30), date(2026, 9, 22)),  # 9-25 is 中秋节, 9-20 (Sun) is worked
    ],
)
def test_the_self_check_prompt_five_working_days_before_the_quarter_ends(
    period_end: date, expected: date
) -> None:
    start = date(period_end.year, period_end.month - 2, 1)
    day = prompt_day(
        RULES, system="selfcheck", period_start=start, period_end=period_end, calendar=CAL
    )
    assert day == expected


def test_the_half_year_report_prompt_on_the_15th_or_the_next_working_day() -> None:
    june = prompt_day(
        RULES,
        system="report",
        period_start=date(2027, 1, 1),
        period_end=date(2027, 6, 30),
        calendar=CAL,
    )
    assert june == date(2027, 6, 15)  # a Tuesday
    december = prompt_day(
        RULES,
        system="report",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 12, 31),
        calendar=CAL,
    )
    assert december == date(2026, 12, 15)
    saturday = prompt_day(
        RULES,
        system="report",
        period_start=date(2030, 1, 1),
        period_end=date(2030, 6, 30),
        calendar=CAL,
    )
    assert saturday == date(2030, 6, 17)  # 2030-06-15 is a Saturday
