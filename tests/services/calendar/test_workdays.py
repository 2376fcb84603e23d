"""The working-day calendar: 2026's official schedule with 调休, later years estimated, overrides win."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from holidays.countries.china import China, ChinaStaticHolidays
from holidays.version import __version__ as holidays_version
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import due_date, period_containing
from bot.services.calendar.workdays import (
    OFFICIAL_UNTIL,
    DayOverride,
    WorkCalendar,
    estimated_years,
    load_calendar,
)
from storage.models import CalendarOverride, CalendarYear, Frequency

CAL = WorkCalendar()


def test_the_official_years_constant_matches_the_installed_holidays_package() -> None:
    """Upgrading `holidays` to a release that knows a later schedule must bump OFFICIAL_UNTIL."""
    documented = {int(year) for year in re.findall(r"\[(\d{4})\]\(", China.__doc__ or "")}
    assert max(documented) == OFFICIAL_UNTIL, holidays_version
    assert max(ChinaStaticHolidays.special_public_holidays) == OFFICIAL_UNTIL


def test_national_day_2026_and_its_tiaoxiu_weekend() -> None:
    assert CAL.source(2026) == "official"
    assert [CAL.is_working(date(2026, 10, d)) for d in range(1, 12)] == [
        False, False, False, False, False, False, False, True, True, True, False
    ]  # fmt: skip  # 1–7 off, 8 Thu, 9 Fri, 10 Sat (调休) working, 11 Sun off
    assert CAL.is_working(date(2026, 9, 20))  # a Sunday worked for 10-06
    assert CAL.note(date(2026, 9, 20)) == "调休上班"
    assert CAL.note(date(2026, 10, 1)) == "国庆节"
    assert CAL.note(date(2026, 10, 12)) is None
    assert CAL.next_working(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_working(date(2026, 10, 9)) == date(2026, 10, 9)
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert CAL.add_working_days(date(2026, 10, 8), 3) == date(2026, 10, 12)
    assert CAL.add_working_days(date(2026, 10, 8), 0) == date(2026, 10, 8)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert CAL.working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    assert CAL.working_days_between(date(2026, 9, 19), date(2026, 9, 20)) == 1


def test_new_year_2027_is_estimated_without_tiaoxiu() -> None:
    assert CAL.source(2027) == "estimated"
    assert not CAL.is_working(date(2027, 1, 1))  # 元旦, a Friday
    assert CAL.next_working(date(2026, 12, 31)) == date(2026, 12, 31)
    assert CAL.next_working(date(2027, 1, 1)) == date(2027, 1, 4)
    assert CAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CAL.day_source(date(2027, 1, 1)) == "estimated"
    assert [d.day for d in CAL.exceptions(2027) if d.working] == []  # no 调休 known


def test_overrides_win_but_only_a_whole_year_import_makes_the_year_known() -> None:
    overrides = {
        date(2027, 2, 20): DayOverride(True, "春节调休"),  # a Saturday worked
        date(2027, 2, 11): DayOverride(False, "春节"),  # a Thursday off
        date(2026, 10, 8): DayOverride(False, "区机关集中培训"),  # beats the official year
        date(2027, 2, 9): DayOverride(True, ""),  # beats the package's estimate
    }
    assert WorkCalendar(overrides).source(2027) == "estimated"  # some days, not the year
    calendar = WorkCalendar(overrides, known_years={2027})
    assert calendar.source(2027) == "override"
    assert calendar.source(2026) == "official"
    assert calendar.is_working(date(2027, 2, 20)) and calendar.note(date(2027, 2, 20)) == "春节调休"
    assert not calendar.is_working(date(2027, 2, 11))
    assert calendar.is_working(date(2027, 2, 9)) and calendar.note(date(2027, 2, 9)) == "上班"
    assert calendar.next_working(date(2026, 10, 1)) == date(2026, 10, 9)
    assert calendar.day_source(date(2026, 10, 8)) == "override"
    assert calendar.overrides_in(2027) == 3


def test_a_due_date_on_a_holiday_or_weekend_moves_to_the_next_working_day() -> None:
    yearly = period_containing(Frequency.YEARLY, date(2026, 5, 1))
    national_day = due_date(yearly, "10-01", calendar=CAL)
    assert (national_day.nominal, national_day.effective) == (date(2026, 10, 1), date(2026, 10, 8))
    assert national_day.shifted
    monthly = period_containing(Frequency.MONTHLY, date(2027, 1, 5))
    weekend = due_date(monthly, None, calendar=CAL)  # 2027-01-31 is a Sunday
    assert (weekend.nominal, weekend.effective) == (date(2027, 1, 31), date(2027, 2, 1))
    worked_saturday = due_date(yearly, "10-10", calendar=CAL)
    assert not worked_saturday.shifted


def test_built_in_items_are_due_working_days_after_their_period() -> None:
    q3 = period_containing(Frequency.QUARTERLY, date(2026, 8, 1))
    selfcheck = due_date(q3, None, calendar=CAL, system="selfcheck")
    # Oct 8, 9, 10 (调休 Saturday), 12–16, 19, 20: the tenth working day after 09-30
    assert selfcheck == due_date(q3, None, calendar=CAL, system="selfcheck", selfcheck_after=10)
    assert (selfcheck.nominal, selfcheck.shifted) == (date(2026, 10, 20), False)
    assert due_date(q3, None, calendar=CAL, system="selfcheck", selfcheck_after=1).nominal == date(
        2026, 10, 8
    )
    h1 = period_containing(Frequency.HALF_YEARLY, date(2026, 3, 1))
    assert due_date(h1, None, calendar=CAL, system="report").nominal == date(2026, 7, 14)
    assert due_date(h1, None, calendar=CAL, system="report", report_after=5).nominal == date(
        2026, 7, 7
    )


def test_admins_hear_of_estimated_years_this_year_and_from_november_the_next() -> None:
    assert estimated_years(CAL, today=date(2026, 10, 31)) == []
    assert estimated_years(CAL, today=date(2026, 11, 1)) == [2027]
    assert estimated_years(CAL, today=date(2027, 3, 1)) == [2027]
    assert estimated_years(CAL, today=date(2027, 11, 2)) == [2027, 2028]
    closure = WorkCalendar({date(2027, 1, 12): DayOverride(False, "区机关集中学习")})
    assert estimated_years(closure, today=date(2026, 11, 1)) == [2027]  # 调休 still unknown
    imported = WorkCalendar({date(2027, 10, 9): DayOverride(True, "国庆调休")}, known_years={2027})
    assert estimated_years(imported, today=date(2026, 11, 1)) == []
    assert estimated_years(imported, today=date(2027, 11, 1)) == [2028]


def test_a_calendar_that_never_works_says_so_instead_of_looping() -> None:
    closed = WorkCalendar({date(2030, 1, 1 + n): DayOverride(False) for n in range(30)})
    assert closed.next_working(date(2030, 1, 1)) == date(2030, 1, 31)
    never = WorkCalendar(
        {date(2030, 1, 1) + timedelta(days=n): DayOverride(False) for n in range(500)}
    )
    with pytest.raises(ValueError, match="no working day"):
        never.next_working(date(2030, 1, 1))


async def test_load_calendar_reads_every_override(session: AsyncSession) -> None:
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    session.add(CalendarOverride(day=date(2027, 2, 20), working=True, note="调休", updated_at=now))
    session.add(
        CalendarOverride(day=date(2026, 12, 31), working=False, note="停电", updated_at=now)
    )
    await session.commit()
    calendar = await load_calendar(session)
    assert calendar.is_working(date(2027, 2, 20))
    assert calendar.next_working(date(2026, 12, 31)) == date(2027, 1, 4)
    assert calendar.source(2027) == "estimated"  # overrides alone: not the whole year
    session.add(CalendarYear(year=2027, source="2027.csv", imported_at=now))
    await session.commit()
    assert (await load_calendar(session)).source(2027) == "override"
    assert calendar.note(date(2026, 12, 31)) == "停电"
