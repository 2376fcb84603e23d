"""Periods and due dates: every frequency, period boundaries, and which 完成时限 fit which 频次."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.calendar.periods import (
    DeadlineProblem,
    check_deadline,
    due_date,
    local_date,
    period_containing,
)
from bot.services.calendar.workdays import WorkCalendar
from storage.models import Frequency

CALENDAR = WorkCalendar()

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("frequency", "day", "key", "start", "end"),
    [
        (Frequency.MONTHLY, date(2026, 2, 14), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (Frequency.MONTHLY, date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (Frequency.QUARTERLY, date(2026, 11, 23), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (Frequency.QUARTERLY, date(2026, 3, 31), "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (Frequency.QUARTERLY, date(2026, 4, 1), "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (Frequency.HALF_YEARLY, date(2026, 6, 30), "2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        (Frequency.HALF_YEARLY, date(2026, 7, 1), "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        (Frequency.YEARLY, date(2026, 11, 23), "2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_containing_a_day(
    frequency: Frequency, day: date, key: str, start: date, end: date
) -> None:
    period = period_containing(frequency, day)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert due_date(period, None, calendar=CALENDAR).nominal == end


def test_yearly_deadline_falls_in_the_periods_year() -> None:
    period = period_containing(Frequency.YEARLY, date(2027, 5, 1), "03-31")
    assert due_date(period, "03-31", calendar=CALENDAR).nominal == date(2027, 3, 31)


def test_one_off_item_has_one_period_due_on_its_date() -> None:
    before = period_containing(Frequency.ONCE, date(2026, 1, 5), "2026-06-30")
    after = period_containing(Frequency.ONCE, date(2026, 11, 23), "2026-06-30")
    assert before == after
    assert due_date(after, "2026-06-30", calendar=CALENDAR).nominal == date(2026, 6, 30)


def test_local_date_reads_the_instant_in_shanghai() -> None:
    late_utc = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January in Shanghai
    assert local_date(late_utc, SHANGHAI) == date(2027, 1, 1)
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 1, 1), SHANGHAI)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("frequency", "text", "problem"),
    [
        (Frequency.YEARLY, "03-31", None),
        (Frequency.YEARLY, "", None),
        (Frequency.QUARTERLY, "", None),
        (Frequency.ONCE, "2026-06-30", None),
        (Frequency.ONCE, "", DeadlineProblem.ONCE_NEEDS_DATE),
        (Frequency.ONCE, "06-30", DeadlineProblem.ONCE_NEEDS_DATE),
        (Frequency.YEARLY, "02-30", DeadlineProblem.NO_SUCH_DAY),
        (Frequency.YEARLY, "02-29", DeadlineProblem.NO_SUCH_DAY),
        (Frequency.YEARLY, "13-01", DeadlineProblem.NO_SUCH_DAY),
        (Frequency.YEARLY, "下月", DeadlineProblem.BAD_FORMAT),
        (Frequency.YEARLY, "3-31", DeadlineProblem.BAD_FORMAT),
        (Frequency.QUARTERLY, "03-31", DeadlineProblem.MONTH_DAY_ONLY_YEARLY),
        (Frequency.MONTHLY, "2026-06-30", DeadlineProblem.FULL_DATE_ONLY_ONCE),
    ],
)
def test_check_deadline(frequency: Frequency, text: str, problem: DeadlineProblem | None) -> None:
    assert check_deadline(frequency, text) is problem
