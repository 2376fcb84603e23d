"""Leave dates: typed dates read (`12-01`, `2026-12-01`) and a leave's days checked."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.services.errors import LeaveProblem, LeaveRefused

MAX_DAYS = 366  # the longest leave, both ends counted
GRACE_DAYS = 30  # a month-day passed by more than this means next year's
_FULL = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_MONTH_DAY = re.compile(r"(\d{1,2})[-/.月](\d{1,2})日?")


def parse_leave_dates(start: str, end: str, *, today: date) -> tuple[date, date]:
    """Two typed dates: `2026-12-01` (also / . 年月日), or a month-day `12-01` meaning this
    year's, or next year's when this year's passed more than 30 days ago."""
    return _parse_date(start, today), _parse_date(end, today)


def _parse_date(text: str, today: date) -> date:
    typed = unicodedata.normalize("NFKC", text).strip()
    try:
        if full := _FULL.fullmatch(typed):
            return date(int(full[1]), int(full[2]), int(full[3]))
        if short := _MONTH_DAY.fullmatch(typed):
            month, day = int(short[1]), int(short[2])
            try:
                this_year = date(today.year, month, day)
            except ValueError:  # 2-29 outside a leap year: maybe next year's
                return date(today.year + 1, month, day)
            if (today - this_year).days > GRACE_DAYS:
                return date(today.year + 1, month, day)
            return this_year
    except ValueError:
        pass
    raise LeaveRefused(LeaveProblem.BAD_DATE, value=text)


def check_leave_period(starts_on: date, ends_on: date, *, today: date) -> None:
    """Refuse days no leave can have (reversed, too long, over): checked before anything else,
    so a name two people share is not asked about first."""
    problem = _period_problem(starts_on, ends_on, today)
    if problem is not None:
        raise LeaveRefused(problem, starts_on=starts_on, ends_on=ends_on)


def _period_problem(starts_on: date, ends_on: date, today: date) -> LeaveProblem | None:
    if ends_on < starts_on:
        return LeaveProblem.BAD_ORDER
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        return LeaveProblem.TOO_LONG
    if ends_on < today:
        return LeaveProblem.ENDED
    return None
