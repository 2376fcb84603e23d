"""A unit's completion for a quarter: done of due by person and by item, and its chart.

What counts, what is done and what is overdue is bot.services.ledger.counting (the one rule
/units, /ranking, the questions and /export count by); items an admin closed are left out of
the rate and counted on their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import quarter_span
from bot.services.ledger.counting import DueRow, DueState, due_rows, tally
from bot.services.oversight.charts import Share, attempt, completion_chart
from bot.services.oversight.item_labels import item_labels
from storage.models import Holding


@dataclass(frozen=True)
class QuarterProgress:
    """Done of due for one quarter, as of `today`."""

    year: int
    quarter: int
    today: date
    by_person: list[Share]
    by_item: list[Share]
    done: int
    total: int  # closed items not counted
    overdue: int
    closed: int

    @property
    def rate(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) containing `day`."""
    return day.year, (day.month - 1) // 3 + 1


async def quarter_progress(
    session: AsyncSession,
    *,
    unit_id: int,
    year: int,
    quarter: int,
    today: date,
    where: ColumnElement[bool] | None = None,
) -> QuarterProgress:
    """The unit's (or, with `where`, some holdings') completion for the quarter as of `today`;
    items by their short content (in the unit's view with the name of the one person holding
    it: bot.services.oversight.item_labels), in the order of their codes."""
    first, last = quarter_span(year, quarter)
    in_unit = col(Holding.unit_id) == unit_id
    rows = await due_rows(
        session,
        first=first,
        last=last,
        today=today,
        where=in_unit if where is None else and_(where, in_unit),
    )
    counted = [row for row in rows if row.counted]
    count = tally(rows)
    labels = item_labels(counted, named=where is None)
    return QuarterProgress(
        year=year,
        quarter=quarter,
        today=today,
        by_person=_shares(counted, key=lambda r: r.holder, ordered=True),  # team, then by person
        by_item=[
            replace(share, label=labels[share.label])
            for share in _shares(counted, key=lambda r: r.item_code)
        ],
        done=count.done,
        total=count.total,
        overdue=count.overdue,
        closed=count.closed,
    )


def _shares(
    rows: list[DueRow], *, key: Callable[[DueRow], str], ordered: bool = False
) -> list[Share]:
    done: dict[str, int] = {}
    total: dict[str, int] = {}
    for row in rows:
        label = key(row)
        total[label] = total.get(label, 0) + 1
        done[label] = done.get(label, 0) + (row.state is DueState.DONE)
    order = list(total) if ordered else sorted(total)
    return [Share(label, done[label], total[label]) for label in order]


async def chart_png(
    progress: QuarterProgress, *, title: str, person_heading: str, item_heading: str
) -> bytes | None:
    """The two-panel chart (by person, by item) as PNG, rendered in a worker thread; None (logged)
    if it could not be drawn."""
    panels = [(person_heading, progress.by_person), (item_heading, progress.by_item)]
    return await asyncio.to_thread(attempt, completion_chart, title=title, panels=panels)
