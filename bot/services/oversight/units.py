"""Each unit's completion and timeliness in one quarter, grouped by category (/units, the 3+1 ranking).

What counts in a quarter, done, on time and overdue is bot.services.ledger.counting, the one
rule every view asks: each due item counts in exactly one quarter (that of its nominal due date),
on time means done on or before the effective due date (顺延 applied).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import Period, local_date, period_containing
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.ledger.counting import DueRow, due_rows, tally
from storage.models import Category, Frequency, Unit

CATEGORY_ORDER = list(Category)


@dataclass(frozen=True)
class UnitProgress:
    """One unit in one quarter: due items counted, done, done on time, and overdue today."""

    unit_id: int
    code: str
    name: str
    category: Category
    total: int
    done: int
    timely: int
    overdue: int  # of those counted, not done and past the effective due date today

    @property
    def completion(self) -> float | None:
        """Share done (None when nothing counted)."""
        return self.done / self.total if self.total else None

    @property
    def timeliness(self) -> float | None:
        """Share done on or before the effective due date, of all counted (None: nothing)."""
        return self.timely / self.total if self.total else None


def quarter(year: int, number: int) -> Period:
    """The calendar quarter (1–4) of a year."""
    if not 1 <= number <= 4:
        raise ValueError(f"no quarter {number}")
    return period_containing(Frequency.QUARTERLY, date(year, 3 * number - 2, 1))


def quarter_of(day: date) -> Period:
    """The quarter a day is in."""
    return period_containing(Frequency.QUARTERLY, day)


async def quarter_progress(
    session: AsyncSession,
    *,
    span: Period,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> list[UnitProgress]:
    """Every active unit with a category, in category order, best completion first; each unit's
    figures are ledger.counting's tally of the quarter as of today."""
    today = local_date(now, zone)
    if calendar is None:
        calendar = await load_calendar(session)
    rows = await due_rows(session, first=span.start, last=span.end, today=today, calendar=calendar)
    by_unit: dict[int, list[DueRow]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    counts = {unit_id: tally(held) for unit_id, held in by_unit.items()}
    none = tally([])
    units = (
        await session.exec(
            select(Unit).where(col(Unit.active).is_(True), col(Unit.category).is_not(None))
        )
    ).all()
    found = []
    for unit in units:
        assert unit.id is not None and unit.category is not None
        found.append(
            UnitProgress(
                unit_id=unit.id,
                code=unit.code,
                name=unit.name,
                category=unit.category,
                total=counts.get(unit.id, none).total,
                done=counts.get(unit.id, none).done,
                timely=counts.get(unit.id, none).timely,
                overdue=counts.get(unit.id, none).overdue,
            )
        )
    found.sort(
        key=lambda u: (
            CATEGORY_ORDER.index(u.category),
            -(u.completion if u.completion is not None else -1.0),
            u.code,
        )
    )
    return found


def by_category(units: list[UnitProgress]) -> list[tuple[Category, list[UnitProgress]]]:
    """The units grouped by category, in category order (categories without units left out)."""
    groups: dict[Category, list[UnitProgress]] = {}
    for unit in units:
        groups.setdefault(unit.category, []).append(unit)
    return [(category, groups[category]) for category in CATEGORY_ORDER if category in groups]
