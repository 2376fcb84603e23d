"""The working-day calendar: China's holidays and 调休 from the `holidays` package, admins' overrides.

Years up to OFFICIAL_UNTIL carry the State Council's published schedule (holidays and the
weekend days swapped to be worked); later years are the package's estimate of the statutory
holidays alone (no 调休), until admins import the year's whole schedule (`calendar import FILE
--year YYYY`, a CalendarYear row). Overrides always win for their day, but a year counts as known
only when its whole schedule was imported: a local closure alone leaves the year estimated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from holidays.countries.china import China
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CalendarOverride, CalendarYear

# The last year whose official schedule (with 调休) the pinned holidays release knows: 0.109
# documents the State Council notices up to 2026. Check it when upgrading the package
# (tests/services/test_workdays.py fails when the package knows a later year).
OFFICIAL_UNTIL = 2026
SEARCH_LIMIT = 400  # days: no real calendar has a longer run of non-working days
NOTICE_FROM_MONTH = 11  # from 1 November admins hear about next year too

Source = Literal["official", "override", "estimated"]


@dataclass(frozen=True)
class DayOverride:
    """An admin's ruling on one day: working (上班) or not (休息), and why."""

    working: bool
    note: str = ""


@dataclass(frozen=True)
class CalendarDay:
    """A day that differs from the plain Monday–Friday week, as `calendar show` lists it."""

    day: date
    working: bool
    note: str
    source: Source


@dataclass(frozen=True)
class _PackageYear:
    holidays: Mapping[date, str]
    workdays: frozenset[date]  # weekend days worked (调休上班)


_SESSION_MEMO = "bot.services.calendar.workdays.calendar"


@lru_cache(maxsize=64)
def _package_year(year: int) -> _PackageYear:
    """The package's holidays (with Chinese names) and 调休 working days of one year."""
    china = China(years=year, language="zh_CN")  # type: ignore[no-untyped-call]
    days = {day: str(name) for day, name in china.items() if day.year == year}
    workdays = frozenset(day for day in china.weekend_workdays if day.year == year)
    return _PackageYear(holidays=days, workdays=workdays)


class WorkCalendar:
    """Which days are working days in China, with admins' overrides on top; pure, no I/O."""

    def __init__(
        self,
        overrides: Mapping[date, DayOverride] | None = None,
        *,
        known_years: Iterable[int] = (),
        official_until: int = OFFICIAL_UNTIL,
    ) -> None:
        self._overrides = dict(overrides or {})
        self._official_until = official_until
        self._known_years = frozenset(known_years)  # whole schedule imported by admins
        self._counted: dict[tuple[date, int], date] = {}  # add_working_days, remembered

    def is_working(self, day: date) -> bool:
        """True on a working day: an override, else the package's holidays and 调休, else Mon–Fri."""
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        package = _package_year(day.year)
        if day in package.holidays:
            return False
        return day in package.workdays or day.weekday() < 5

    def next_working(self, day: date) -> date:
        """The day itself if it is a working day, else the next one (the 顺延 target)."""
        for offset in range(SEARCH_LIMIT):
            candidate = day + timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        raise ValueError(f"no working day within {SEARCH_LIMIT} days of {day}")

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n < 0: before it); `day` itself when n is 0
        (remembered: a reminder run asks it for each step of 100,000 due items)."""
        known = self._counted.get((day, n))
        if known is None:
            known = self._counted[(day, n)] = self._count(day, n)
        return known

    def _count(self, day: date, n: int) -> date:
        step = timedelta(days=1 if n > 0 else -1)
        remaining, current, walked = abs(n), day, 0
        while remaining:
            current += step
            walked += 1
            if walked > SEARCH_LIMIT * max(1, abs(n)):
                raise ValueError(f"cannot count {n} working days from {day}")
            if self.is_working(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (those in (end, start]) when end is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working(start + timedelta(offset))
        )

    def source(self, year: int) -> Source:
        """Where the year's schedule comes from: the published one, admins' import of the whole
        year, or an estimate (some days may still be overridden: overrides_in)."""
        if year <= self._official_until:
            return "official"
        return "override" if year in self._known_years else "estimated"

    def day_source(self, day: date) -> Source:
        """Where one day's ruling comes from."""
        if day in self._overrides:
            return "override"
        return "official" if day.year <= self._official_until else "estimated"

    def note(self, day: date) -> str | None:
        """Why the day is what it is: an override's note, a holiday's name, 调休上班; else None."""
        override = self._overrides.get(day)
        if override is not None:
            return override.note or ("上班" if override.working else "休息")
        package = _package_year(day.year)
        if day in package.holidays:
            return package.holidays[day]
        return "调休上班" if day in package.workdays else None

    def exceptions(self, year: int) -> list[CalendarDay]:
        """The year's non-working weekdays, working weekend days and overridden days, in order."""
        days = set(_package_year(year).holidays) | _package_year(year).workdays
        days |= {day for day in self._overrides if day.year == year}
        found = []
        for day in sorted(days):
            working = self.is_working(day)
            if working != (day.weekday() < 5) or day in self._overrides:
                found.append(CalendarDay(day, working, self.note(day) or "", self.day_source(day)))
        return found

    def overrides_in(self, year: int) -> int:
        """How many overrides the year has."""
        return sum(1 for day in self._overrides if day.year == year)


def calendar_from(
    rows: Iterable[CalendarOverride], known_years: Iterable[int] = ()
) -> WorkCalendar:
    """A calendar with the given override rows on top of the package."""
    overrides = {row.day: DayOverride(row.working, row.note) for row in rows}
    return WorkCalendar(overrides, known_years=known_years)


async def load_calendar(session: AsyncSession, *, fresh: bool = False) -> WorkCalendar:
    """The calendar as of now: the package (cached per year), every override and the years
    imported whole (two small queries), read once per transaction: one update asks it several
    times (a reply to a reminder: three). `fresh`: read again (after writing overrides)."""
    transaction = session.sync_session.get_transaction()  # a memo lasts one transaction
    memo = session.info.get(_SESSION_MEMO)
    if not fresh and transaction is not None and memo is not None and memo[0] is transaction:
        return memo[1]  # type: ignore[no-any-return]
    rows = (await session.exec(select(CalendarOverride))).all()
    years = (await session.exec(select(CalendarYear.year))).all()
    calendar = calendar_from(rows, years)
    session.info[_SESSION_MEMO] = (session.sync_session.get_transaction(), calendar)
    return calendar


def estimated_years(calendar: WorkCalendar, *, today: date) -> list[int]:
    """Upcoming years with no known schedule (this year, and from 1 November next year too):
    admins are told once per year (the reminders run enqueues bot.texts.reminders_calendar)."""
    years = [today.year]
    if today.month >= NOTICE_FROM_MONTH:
        years.append(today.year + 1)
    return [year for year in years if calendar.source(year) == "estimated"]
