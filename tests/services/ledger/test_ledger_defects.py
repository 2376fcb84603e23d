"""Issue L's defects, each pinned: corrections never move the day, closed items leave every total,
answers stay in their quarter, an assigned task counts once, nothing counts before it existed."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

from openpyxl import load_workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import quarter_span
from bot.services.exports.ledger_xlsx import SHEETS, build_workbook
from bot.services.exports.year import collect
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger.due_items import roll_due_items
from bot.services.oversight import pending, progress, units
from bot.services.oversight.assign import assign_task
from bot.services.oversight.assign_parse import Task
from bot.services.records.writing import add_record
from storage.models import (
    DraftState,
    DueItem,
    Holding,
    Item,
    Person,
    PersonRole,
    Role,
    SelfCheck,
    SelfCheckAnswer,
    Unit,
)
from tests.services.helpers import DISTRICT, ZONE


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


async def _year(session: AsyncSession, until: date) -> Unit:
    await import_directory(
        session, tables=read_directory(DISTRICT), now=at(date(2026, 1, 2)), zone=ZONE
    )
    await roll_due_items(session, now=at(until), zone=ZONE)
    return (await session.exec(select(Unit).where(Unit.code == "U01"))).one()


async def _due(session: AsyncSession, person: str, item: str, nominal: date) -> tuple[DueItem, int]:
    due, person_id = (
        await session.exec(
            select(DueItem, Person.id)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Person, col(Person.id) == col(Holding.person_id))
            .where(Person.code == person, Item.code == item, DueItem.due_date == nominal)
        )
    ).one()
    assert person_id is not None
    return due, person_id


async def test_a_correction_months_later_keeps_the_item_on_time(session: AsyncSession) -> None:
    unit = await _year(session, date(2026, 11, 26))
    due, person_id = await _due(session, "P0101", "C01", date(2026, 9, 30))
    assert due.id is not None and unit.id is not None
    first = await add_record(
        session,
        origin="t:first",
        due_item_id=due.id,
        author_id=person_id,
        unit_id=unit.id,
        text="召开党委会",
        happened_on=date(2026, 7, 16),
        now=at(date(2026, 7, 16)),
    )
    await session.commit()
    q3 = units.quarter(2026, 3)
    before = next(
        u
        for u in await units.quarter_progress(
            session, span=q3, now=at(date(2026, 11, 26)), zone=ZONE
        )
        if u.code == "U01"
    )
    await add_record(  # 更正 on 11-26: the text only; the day is copied, as the service does
        session,
        origin="t:fix",
        due_item_id=due.id,
        author_id=person_id,
        unit_id=unit.id,
        text="召开党委会专题研究党风廉政建设",
        happened_on=first.record.happened_on,
        now=at(date(2026, 11, 26)),
        corrects_id=first.record.id,
    )
    await session.commit()
    after = next(
        u
        for u in await units.quarter_progress(
            session, span=q3, now=at(date(2026, 11, 26)), zone=ZONE
        )
        if u.code == "U01"
    )
    assert (after.done, after.timely) == (before.done, before.timely)
    assert after.timely >= 1


async def test_a_closed_item_leaves_the_total_of_the_question_progress_and_units_alike(
    session: AsyncSession,
) -> None:
    unit = await _year(session, date(2026, 11, 26))
    assert unit.id is not None
    due, _ = await _due(session, "P0102", "M01", date(2026, 12, 31))
    due.closed_at = datetime(2026, 11, 26, 2, tzinfo=UTC)
    due.closed_reason = "分工调整"
    session.add(due)
    await session.commit()
    now, today = at(date(2026, 11, 26)), date(2026, 11, 26)
    asked = await pending.quarter_progress(
        session, where=col(Holding.unit_id) == unit.id, now=now, zone=ZONE
    )
    shown = await progress.quarter_progress(
        session, unit_id=unit.id, year=2026, quarter=4, today=today
    )
    ranked = next(
        u
        for u in await units.quarter_progress(
            session, span=units.quarter(2026, 4), now=now, zone=ZONE
        )
        if u.unit_id == unit.id
    )
    assert asked.closed == shown.closed == 1
    assert asked.total == shown.total == ranked.total
    assert asked.done == shown.done == ranked.done
    assert asked.overdue == shown.overdue == ranked.overdue
    # the 半年检查 sheet: 应完成 leaves the closed item out, like every other view
    data = await collect(session, unit=unit, year=2026, quarter=None, today=today)
    book = load_workbook(io.BytesIO(build_workbook(data, zone=ZONE)))
    sheet = book[SHEETS[2]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    row = next(r for r in rows if r[0] == "下半年" and r[1] == "李红霞")
    total, done, owed, closed = row[2:6]
    assert closed == 1 and total == done + owed


async def test_an_answer_stays_in_its_quarter_on_the_export(session: AsyncSession) -> None:
    unit = await _year(session, date(2026, 7, 10))
    due, person_id = await _due(session, "P0101", "C04", date(2026, 6, 30))  # yearly, due Q2
    assert due.id is not None
    check = SelfCheck(
        person_id=person_id,
        period_key="2026-Q1",
        state=DraftState.SUBMITTED,
        created_at=at(date(2026, 4, 3)),
        updated_at=at(date(2026, 4, 3)),
        submitted_at=at(date(2026, 4, 3)),
    )
    session.add(check)
    await session.flush()
    assert check.id is not None
    session.add(
        SelfCheckAnswer(
            selfcheck_id=check.id,
            due_item_id=due.id,
            status="progress",
            note="正在推进，月底前完成",
            answered_at=at(date(2026, 4, 3)),
        )
    )
    await session.commit()
    data = await collect(session, unit=unit, year=2026, quarter=None, today=date(2026, 7, 10))
    assert (due.id, "2026-Q1") in data.answers
    assert (due.id, "2026-Q2") not in data.answers  # Q2 was not answered: nothing to show
    quarters = {q: {r.due_item_id for r in rows} for q, rows in data.quarters}
    assert due.id in quarters[2] and due.id not in quarters[1]  # counted once, when due


async def test_an_assigned_task_counts_once_and_a_year_before_the_items_is_empty(
    session: AsyncSession,
) -> None:
    unit = await _year(session, date(2026, 12, 3))
    first = (await session.exec(select(Person).where(Person.code == "P0101"))).one()
    admin = (
        await session.exec(
            select(Person).join(PersonRole).where(col(PersonRole.role) == Role.ADMIN)
        )
    ).first()
    assert first.id is not None and admin is not None and admin.id is not None
    assigned = await assign_task(
        session,
        unit_id=first.unit_id,
        person_id=first.id,
        task=Task(content="整改巡察反馈问题", deadline=date(2026, 12, 31), source="区纪委"),
        actor_person_id=admin.id,
        now=at(date(2026, 12, 3)),
        zone=ZONE,
    )
    code = assigned.item_code
    data = await collect(session, unit=unit, year=2026, quarter=None, today=date(2026, 12, 3))
    in_quarters = [q for q, rows in data.quarters if any(r.item_code == code for r in rows)]
    in_halves = [h for h, rows in data.halves if any(r.item_code == code for r in rows)]
    assert (in_quarters, in_halves) == ([4], [2])
    yearly_due_1231 = [
        r for _, rows in data.halves for r in rows if r.nominal == date(2026, 12, 31)
    ]
    assert yearly_due_1231 and all(
        r.period.end >= quarter_span(2026, 3)[1] for r in yearly_due_1231
    )
    old = await collect(session, unit=unit, year=2024, quarter=None, today=date(2026, 12, 3))
    assert old.items == [] and all(rows == [] for _, rows in old.quarters)
