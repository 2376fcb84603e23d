"""Every view gives the ledger rule's figures, and the rule agrees with a brute-force oracle.

The sample district is imported in January 2026 and rolled through the year, with one assigned
task; then, for many seeds, random 履责记实 (plain, corrected, moved to another item by a
correction, undone, an undone correction, 逾期说明, two chains on one item), closes and a day
(period edges, holidays, 调休 weekends) are written in a transaction that is rolled back after
the views were asked. The oracle below is written from the README's table "what counts where",
over the raw rows, not through bot.services.ledger.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import quarter_span
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.exports.year import collect
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger.counting import DueState
from bot.services.ledger.due_items import roll_due_items
from bot.services.ledger.status import Status, unit_list
from bot.services.oversight import pending, progress, units
from bot.services.oversight.assign import assign_task
from bot.services.oversight.assign_parse import Task
from bot.services.records.writing import add_record
from storage.models import DueItem, Holding, Item, Person, PersonRole, Record, Role, Unit
from tests.services.helpers import DISTRICT, ZONE

SEEDS = range(8)
# period edges, a holiday, a 调休 working Sunday, Sundays after a Saturday due date
EDGE_DAYS = [
    date(2026, 1, 1), date(2026, 2, 14), date(2026, 3, 31), date(2026, 4, 1), date(2026, 5, 1),
    date(2026, 6, 30), date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 8),
    date(2026, 11, 1), date(2026, 11, 2), date(2026, 12, 31),
]  # fmt: skip


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@dataclass
class RawDue:
    """A due item as the raw tables hold it."""

    id: int
    unit_id: int
    holder_id: int | None
    nominal: date
    start: date
    closed: bool
    active: bool


def effective(nominal: date, calendar: WorkCalendar) -> date:
    """顺延: the first working day on or after the nominal due date."""
    day = nominal
    while not calendar.is_working(day):
        day += timedelta(days=1)
    return day


class Oracle:
    """The README's table, by brute force over raw rows."""

    def __init__(self, dues: list[RawDue], records: list[Record], calendar: WorkCalendar) -> None:
        self.dues = dues
        self.calendar = calendar
        voided = {r.voids_id for r in records if r.voids_id is not None}
        corrected = {r.corrects_id for r in records if r.corrects_id is not None}
        self.done_on: dict[int, date] = {}
        for r in records:
            live = r.voids_id is None and r.id not in voided and r.id not in corrected
            if live and r.due_item_id is not None:
                old = self.done_on.get(r.due_item_id)
                self.done_on[r.due_item_id] = min(old, r.happened_on) if old else r.happened_on

    def state(self, due: RawDue, today: date) -> DueState:
        if due.id in self.done_on:
            return DueState.DONE
        if due.closed:
            return DueState.CLOSED
        return DueState.OVERDUE if today > effective(due.nominal, self.calendar) else DueState.OPEN

    def counting(self, first: date, last: date, today: date, unit_id: int | None) -> list[RawDue]:
        return [
            d
            for d in self.dues
            if first <= d.nominal <= last
            and d.start <= today
            and d.active
            and (unit_id is None or d.unit_id == unit_id)
        ]

    def figures(self, rows: list[RawDue], today: date) -> tuple[int, int, int, int, int]:
        """(total, done, on time, overdue, closed)."""
        states = [self.state(d, today) for d in rows]
        timely = sum(
            1
            for d, s in zip(rows, states, strict=True)
            if s is DueState.DONE and self.done_on[d.id] <= effective(d.nominal, self.calendar)
        )
        closed = states.count(DueState.CLOSED)
        return (
            len(rows) - closed,
            states.count(DueState.DONE),
            timely,
            states.count(DueState.OVERDUE),
            closed,
        )


async def _district(session: AsyncSession) -> None:
    await import_directory(
        session, tables=read_directory(DISTRICT), now=at(date(2026, 1, 2)), zone=ZONE
    )
    first = (await session.exec(select(Person).where(Person.code == "P0101"))).one()
    admin = (
        await session.exec(
            select(Person).join(PersonRole).where(col(PersonRole.role) == Role.ADMIN)
        )
    ).first()
    assert first.id is not None and admin is not None and admin.id is not None
    task = Task(content="整改巡察反馈问题", deadline=date(2026, 5, 16), source="区纪委")
    await assign_task(
        session,
        unit_id=first.unit_id,
        person_id=first.id,
        task=task,
        actor_person_id=admin.id,
        now=at(date(2026, 4, 20)),
        zone=ZONE,
    )
    await roll_due_items(session, now=at(date(2026, 12, 31)), zone=ZONE)


async def _raw_dues(session: AsyncSession) -> list[RawDue]:
    rows = (
        await session.exec(
            select(DueItem, Holding, Item)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
        )
    ).all()
    return [
        RawDue(
            id=d.id or 0,
            unit_id=h.unit_id,
            holder_id=h.person_id,
            nominal=d.due_date,
            start=d.period_start,
            closed=d.closed_at is not None,
            active=h.active and i.active,
        )
        for d, h, i in rows
    ]


async def _scenario(session: AsyncSession, rng: random.Random, dues: list[RawDue]) -> date:
    """Random records and closes up to a random day (flushed, not committed); the day."""
    today = rng.choice([*EDGE_DAYS, date(2026, 1, 1) + timedelta(rng.randrange(365))])
    begun = [d for d in dues if d.start <= today]
    author = {
        p.unit_id: p.id for p in (await session.exec(select(Person))).all() if p.id is not None
    }
    serial = 0

    async def write(due: RawDue, day: date, **extra: object) -> Record:
        nonlocal serial
        serial += 1
        added = await add_record(
            session,
            origin=f"truth:{serial}",
            due_item_id=due.id,
            author_id=due.holder_id or author[due.unit_id],
            unit_id=due.unit_id,
            text="召开会议专题研究",
            happened_on=day,
            now=at(today, 9),
            **extra,  # type: ignore[arg-type]
        )
        return added.record

    for due in rng.sample(begun, min(len(begun), 80)):
        day = due.start + timedelta(rng.randrange((today - due.start).days + 1))
        kind = rng.choice(["plain", "plain", "fix", "move", "undo", "undo_fix", "late", "two"])
        first = await write(due, day)
        if kind == "fix":
            await write(due, day, corrects_id=first.id)
        elif kind == "late":
            await write(due, day, corrects_id=first.id, late_reason="出差")
        elif kind == "move":
            other = rng.choice(begun)
            await write(other, day, corrects_id=first.id)
        elif kind == "undo":
            await write(due, day, voids_id=first.id)
        elif kind == "undo_fix":
            fix = await write(due, day, corrects_id=first.id)
            await write(due, day, voids_id=fix.id)
        elif kind == "two":
            await write(due, today)
    for due in rng.sample(begun, min(len(begun), 12)):
        row = await session.get(DueItem, due.id)
        assert row is not None
        row.closed_at = datetime.combine(today, time(1), tzinfo=UTC)
        row.closed_reason = "调整"
        session.add(row)
    await session.flush()
    return today


async def test_every_view_gives_the_rules_figures_and_the_rule_the_oracles(
    session: AsyncSession,
) -> None:
    await _district(session)
    calendar = await load_calendar(session)
    unit_ids = [u.id for u in (await session.exec(select(Unit))).all() if u.id is not None]
    checked = Counter[str]()
    for seed in SEEDS:
        rng = random.Random(seed)
        today = await _scenario(session, rng, await _raw_dues(session))
        records = list((await session.exec(select(Record))).all())
        oracle = Oracle(await _raw_dues(session), records, calendar)
        now = at(today)
        year, current_q = today.year, (today.month - 1) // 3 + 1
        for q in range(1, current_q + 1):
            first, last = quarter_span(year, q)
            # /units and /ranking: every unit
            found = {
                u.unit_id: u
                for u in await units.quarter_progress(
                    session, span=units.quarter(year, q), now=now, zone=ZONE
                )
            }
            for unit_id in unit_ids:
                want = oracle.figures(oracle.counting(first, last, today, unit_id), today)
                if unit_id in found:
                    got = found[unit_id]
                    got_figures = (got.total, got.done, got.timely, got.overdue)
                    assert got_figures == want[:4], (seed, today, q)
                    checked["units"] += 1
                # /progress (the chart)
                shown = await progress.quarter_progress(
                    session, unit_id=unit_id, year=year, quarter=q, today=today
                )
                assert (shown.total, shown.done, shown.overdue, shown.closed) == (
                    want[0],
                    want[1],
                    want[3],
                    want[4],
                ), (seed, today, q, unit_id)
                checked["progress"] += 1
        for unit_id in rng.sample(unit_ids, 3):
            # the plain question "本季度完成得怎么样"
            asked = await pending.quarter_progress(
                session, where=col(Holding.unit_id) == unit_id, now=now, zone=ZONE
            )
            first, last = quarter_span(year, current_q)
            want = oracle.figures(oracle.counting(first, last, today, unit_id), today)
            assert (asked.total, asked.done, asked.overdue, asked.closed) == (
                want[0],
                want[1],
                want[3],
                want[4],
            ), (seed, today, unit_id)
            checked["question"] += 1
            # every quarter and half-year sheet of /export
            unit = await session.get(Unit, unit_id)
            assert unit is not None
            data = await collect(session, unit=unit, year=year, quarter=None, today=today)
            for q, rows in data.quarters:
                first, last = quarter_span(year, q)
                want_rows = oracle.counting(first, last, today, unit_id)
                assert sorted(r.due_item_id for r in rows) == sorted(d.id for d in want_rows)
                for row in rows:
                    raw = next(d for d in want_rows if d.id == row.due_item_id)
                    assert row.state is oracle.state(raw, today), (seed, today, row)
                checked["export"] += 1
            for h, rows in data.halves:
                first, last = quarter_span(year, 2 * h - 1)[0], quarter_span(year, 2 * h)[1]
                want_ids = {d.id for d in oracle.counting(first, last, today, unit_id)}
                assert {r.due_item_id for r in rows} == want_ids, (seed, today, h)
            # /unit (and /my, the same lines): each line's state, and what overdue means
            ledger = await unit_list(session, unit_id=unit_id, now=now, zone=ZONE)
            by_id = {d.id: d for d in oracle.dues}
            for line in ledger.lines:
                want_state = oracle.state(by_id[line.due_item_id], today)
                state = DueState.OPEN if line.status is Status.DUE_SOON else DueState(line.status)
                assert state is want_state, (seed, today, line)
            owed = [
                d
                for d in oracle.dues
                if d.unit_id == unit_id
                and d.active
                and d.start <= today
                and oracle.state(d, today) in (DueState.OVERDUE, DueState.OPEN)
            ]
            shown_owed = {
                line.due_item_id
                for line in ledger.lines
                if line.status in (Status.OVERDUE, Status.OPEN, Status.DUE_SOON)
            }
            assert {d.id for d in owed} <= shown_owed, (seed, today)
            checked["unit list"] += 1
        await session.rollback()
    assert min(checked.values()) > 0, checked
