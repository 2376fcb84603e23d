"""Calendar periods (month, quarter, half-year, year, one-off) and each item's due date in them."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.models import Frequency

ONCE_KEY = "once"
_ONCE_START = date(2000, 1, 1)
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
SYSTEM_SELFCHECK = "selfcheck"  # Item.system of the built-in 季度自查
SYSTEM_REPORT = "report"  # Item.system of the built-in 半年报告
SELFCHECK_DUE_AFTER = 10  # working days after the quarter ends (setting SELFCHECK_DUE_AFTER)
REPORT_DUE_AFTER = 10  # working days after the half-year ends (setting REPORT_DUE_AFTER)


@dataclass(frozen=True, order=True)
class Period:
    """A span of calendar days that one due item covers; key is e.g. 2026-Q4."""

    start: date
    end: date
    key: str
    frequency: Frequency


class DeadlineProblem(StrEnum):
    """Why a 完成时限 does not fit its 频次 (texts.py words each one)."""

    BAD_FORMAT = "bad_format"
    NO_SUCH_DAY = "no_such_day"
    ONCE_NEEDS_DATE = "once_needs_date"
    FULL_DATE_ONLY_ONCE = "full_date_only_once"
    MONTH_DAY_ONLY_YEARLY = "month_day_only_yearly"


def local_date(now: datetime, zone: ZoneInfo) -> date:
    """The calendar day of an aware instant in the given zone."""
    if now.tzinfo is None:
        raise ValueError("aware datetime required")
    return now.astimezone(zone).date()


def check_deadline(frequency: Frequency, text: str) -> DeadlineProblem | None:
    """None when `text` (MM-DD, YYYY-MM-DD or empty) is a valid 完成时限 for `frequency`."""
    text = text.strip()
    if not text:
        return DeadlineProblem.ONCE_NEEDS_DATE if frequency is Frequency.ONCE else None
    full = _FULL_DATE.match(text)
    month_day = _MONTH_DAY.match(text)
    if not full and not month_day:
        return DeadlineProblem.BAD_FORMAT
    try:
        if full:
            date(int(full[1]), int(full[2]), int(full[3]))
        elif month_day:
            date(2001, int(month_day[1]), int(month_day[2]))  # a non-leap year: no 02-29
    except ValueError:
        return DeadlineProblem.NO_SUCH_DAY
    if full and frequency is not Frequency.ONCE:
        return DeadlineProblem.FULL_DATE_ONLY_ONCE
    if month_day and frequency is not Frequency.YEARLY:
        return (
            DeadlineProblem.ONCE_NEEDS_DATE
            if frequency is Frequency.ONCE
            else DeadlineProblem.MONTH_DAY_ONLY_YEARLY
        )
    return None


def period_containing(frequency: Frequency, day: date, deadline: str | None = None) -> Period:
    """The period of `frequency` that contains `day` (a one-off item has a single period)."""
    year = day.year
    if frequency is Frequency.MONTHLY:
        last = calendar.monthrange(year, day.month)[1]
        return Period(
            date(year, day.month, 1),
            date(year, day.month, last),
            f"{year}-{day.month:02d}",
            frequency,
        )
    if frequency is Frequency.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        first_month = 3 * quarter - 2
        end_month = first_month + 2
        end = date(year, end_month, calendar.monthrange(year, end_month)[1])
        return Period(date(year, first_month, 1), end, f"{year}-Q{quarter}", frequency)
    if frequency is Frequency.HALF_YEARLY:
        if day.month <= 6:
            return Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1", frequency)
        return Period(date(year, 7, 1), date(year, 12, 31), f"{year}-H2", frequency)
    if frequency is Frequency.YEARLY:
        return Period(date(year, 1, 1), date(year, 12, 31), str(year), frequency)
    end = date.fromisoformat(deadline) if deadline else day
    return Period(_ONCE_START, max(end, _ONCE_START), ONCE_KEY, frequency)


def periods_between(
    frequency: Frequency, first: date, last: date, deadline: str | None = None
) -> list[Period]:
    """Every period of `frequency` that overlaps the days `first`..`last`, in order."""
    if frequency is Frequency.ONCE:
        return [period_containing(frequency, last, deadline)]
    found: list[Period] = []
    day = first
    while day <= last:
        period = period_containing(frequency, day, deadline)
        found.append(period)
        day = period.end + timedelta(days=1)
    return found


_KEY_SHAPE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$")


def period_of_key(key: str, deadline: str | None = None) -> Period | None:
    """The period a key such as 2026-Q4, 2026-H2, 2026-11, 2026 or once names (None: no such)."""
    text = key.strip().upper()
    if text == ONCE_KEY.upper():
        return period_containing(Frequency.ONCE, _ONCE_START, deadline)
    found = _KEY_SHAPE.match(text)
    if found is None or not 1 <= int(found[1]) <= 9999:
        return None
    year = int(found[1])
    month, quarter, half = found[2], found[3], found[4]
    if month is not None:
        if not 1 <= int(month) <= 12:
            return None
        return period_containing(Frequency.MONTHLY, date(year, int(month), 1))
    if quarter is not None:
        return period_containing(Frequency.QUARTERLY, date(year, 3 * int(quarter) - 2, 1))
    if half is not None:
        return period_containing(Frequency.HALF_YEARLY, date(year, 6 * int(half) - 5, 1))
    return period_containing(Frequency.YEARLY, date(year, 1, 1))


QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")  # as the buttons say them


def period_name(period: Period) -> str:
    """A period as people say it (every list, message and workbook): 2026年第四季度,
    2026年下半年, 2026年11月, 2026年度, 一次性."""
    key = period.key
    if period.frequency is Frequency.YEARLY:
        return f"{key}年度"
    if period.frequency is Frequency.QUARTERLY:
        return f"{key[:4]}年{QUARTER_NAMES[int(key[-1]) - 1]}"
    if period.frequency is Frequency.HALF_YEARLY:
        return f"{key[:4]}年{'上' if key.endswith('H1') else '下'}半年"
    if period.frequency is Frequency.MONTHLY:
        return f"{key[:4]}年{int(key[5:])}月"
    return "一次性"


def key_name(key: str) -> str:
    """A stored period key (2026-Q4, 2026-H2, once …) as people say it; an unknown key as is."""
    named = period_of_key(key)
    return key if named is None else period_name(named)


@functools.lru_cache(maxsize=4096)  # Period is frozen: one per key, not one per row
def stored_period(key: str, start: date, end: date) -> Period:
    """A stored due item's period, its frequency read from the key's shape."""
    named = period_of_key(key)
    return Period(start, end, key, named.frequency if named else Frequency.ONCE)


class Calendar(Protocol):
    """What the due-date rule needs of bot.services.calendar.workdays.WorkCalendar."""

    def next_working(self, day: date) -> date: ...

    def add_working_days(self, day: date, n: int) -> date: ...


@dataclass(frozen=True)
class DueDate:
    """When an item is due: the date its rule names, and the working day it moves to (顺延)."""

    nominal: date
    effective: date

    @property
    def shifted(self) -> bool:
        return self.effective != self.nominal


def effective_due(nominal: date, *, calendar: Calendar) -> DueDate:
    """顺延: a due date on a non-working day moves to the next working day.

    Readers of a stored DueItem (whose due_date is the nominal date) go through here, so an
    override imported later changes every list at once.
    """
    return DueDate(nominal, calendar.next_working(nominal))


def due_date(
    period: Period,
    deadline: str | None,
    *,
    calendar: Calendar,
    system: str | None = None,
    selfcheck_after: int = SELFCHECK_DUE_AFTER,
    report_after: int = REPORT_DUE_AFTER,
) -> DueDate:
    """The day the item is due in `period`, and where 顺延 moves it.

    The one definition of a due date: stored due items (the nominal date), lists and reminders
    all come from here. An imported item is due on its 完成时限 in the period, or the period's
    last day; the built-in 季度自查 (system "selfcheck") `selfcheck_after` working days after its
    quarter ends, the 半年报告 ("report") `report_after` working days after its half-year ends.
    """
    if system == SYSTEM_SELFCHECK:
        nominal = calendar.add_working_days(period.end, selfcheck_after)
    elif system == SYSTEM_REPORT:
        nominal = calendar.add_working_days(period.end, report_after)
    elif not deadline:
        nominal = period.end
    elif period.frequency is Frequency.ONCE:
        nominal = date.fromisoformat(deadline)
    else:
        month, day = (int(part) for part in deadline.split("-"))
        nominal = date(period.start.year, month, day)
    return effective_due(nominal, calendar=calendar)


@dataclass(frozen=True)
class DueRule:
    """What a due date needs beyond the item: the calendar, and the built-in items' offsets."""

    calendar: Calendar
    selfcheck_after: int = SELFCHECK_DUE_AFTER
    report_after: int = REPORT_DUE_AFTER

    def nominal(self, period: Period, deadline: str | None, system: str | None) -> date:
        """The nominal due date stored on a due item (readers apply 顺延 to it)."""
        return due_date(
            period,
            deadline,
            calendar=self.calendar,
            system=system,
            selfcheck_after=self.selfcheck_after,
            report_after=self.report_after,
        ).nominal


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    period = period_containing(Frequency.QUARTERLY, date(year, 3 * quarter - 2, 1))
    return period.start, period.end
