"""Period keys as admins type them (/close), and the periods a catch-up roll walks through."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.calendar.periods import period_of_key, periods_between, stored_period
from storage.models import Frequency


@pytest.mark.parametrize(
    ("text", "key", "frequency", "start", "end"),
    [
        ("2026", "2026", Frequency.YEARLY, date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-h2", "2026-H2", Frequency.HALF_YEARLY, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", "2026-Q1", Frequency.QUARTERLY, date(2026, 1, 1), date(2026, 3, 31)),
        (" 2026-02 ", "2026-02", Frequency.MONTHLY, date(2026, 2, 1), date(2026, 2, 28)),
        ("ONCE", "once", Frequency.ONCE, date(2000, 1, 1), date(2026, 12, 15)),
    ],
)
def test_a_typed_key_names_its_period(
    text: str, key: str, frequency: Frequency, start: date, end: date
) -> None:
    period = period_of_key(text, "2026-12-15" if frequency is Frequency.ONCE else None)
    assert period is not None
    assert (period.key, period.frequency, period.start, period.end) == (key, frequency, start, end)
    assert stored_period(period.key, start, end) == period


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-13", "2026-00", "2026-H3", "0000", "26", "下半年", ""]
)
def test_a_key_that_names_no_period(text: str) -> None:
    assert period_of_key(text) is None


def test_periods_between_walks_every_period_overlapping_the_days() -> None:
    months = periods_between(Frequency.MONTHLY, date(2026, 11, 23), date(2027, 1, 5))
    assert [p.key for p in months] == ["2026-11", "2026-12", "2027-01"]
    quarters = periods_between(Frequency.QUARTERLY, date(2026, 6, 30), date(2026, 7, 1))
    assert [p.key for p in quarters] == ["2026-Q2", "2026-Q3"]
    assert periods_between(Frequency.YEARLY, date(2027, 1, 2), date(2027, 1, 1)) == []
    once = periods_between(Frequency.ONCE, date(2026, 1, 1), date(2027, 1, 1), "2026-06-30")
    assert [(p.key, p.end) for p in once] == [("once", date(2026, 6, 30))]
