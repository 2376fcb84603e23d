"""交办督办: an assigned task is an item with a due item, kept by imports, tracked to closure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger.outstanding import outstanding
from bot.services.oversight.assign import assign_task, by_codes, holders, is_assigned
from bot.services.oversight.assign_parse import AssignProblem, Task, parse_task
from bot.services.oversight.tracking import State, queue_reminder, tracked
from bot.services.records.writing import add_record
from storage.models import (
    AuditEntry,
    DueItem,
    DutyType,
    Frequency,
    Holding,
    Item,
    ListKind,
    Outbox,
    ScopeKind,
)
from tests.services.helpers import DISTRICT, NOW, ZONE

TODAY = date(2026, 11, 23)


def test_the_typed_task_is_read_with_its_deadline_and_source() -> None:
    task = parse_task("整改会议记录不全问题 / 2026-12-31 / 2026年第三季度督查", today=TODAY)
    assert task == Task("整改会议记录不全问题", date(2026, 12, 31), "2026年第三季度督查")
    assert parse_task("整改 ／ 12-31", today=TODAY).source == "管理员交办"
    assert parse_task("整改 / 1-15", today=TODAY).deadline == date(2027, 1, 15)  # next such day
    assert parse_task("整改 / 2026年12月5日", today=TODAY).deadline == date(2026, 12, 5)
    cases = {
        "只有内容": "shape",
        " / 2026-12-31": "shape",
        "整改 / 2026-13-01": "bad_date",
        "整改 / 下周": "bad_date",
        "整改 / 2026-11-22": "past",
        "改" * 501 + " / 12-31": "too_long",
    }
    for text, code in cases.items():
        with pytest.raises(AssignProblem) as refused:
            parse_task(text, today=TODAY)
        assert refused.value.code == code, text


async def _assign(session: AsyncSession, person: str, deadline: date, content: str = "整改") -> str:
    unit_id, person_id = await by_codes(session, unit_code=f"U{person[1:3]}", person_code=person)
    done = await assign_task(
        session,
        unit_id=unit_id,
        person_id=person_id,
        task=Task(content, deadline, "2026年第三季度督查"),
        actor_person_id=1,
        now=NOW,
        zone=ZONE,
    )
    return done.item_code


async def test_an_assigned_task_is_an_item_with_a_due_item_and_survives_a_reimport(
    session: AsyncSession,
) -> None:
    await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
    assert await _assign(session, "P0101", date(2026, 12, 31)) == "JB001"
    assert await _assign(session, "P0103", date(2026, 12, 20), "督促整改") == "JB002"
    first = (await session.exec(select(Item).where(col(Item.code) == "JB001"))).one()
    assert (first.list_kind, first.duty_type, first.scope_kind) == (
        ListKind.INDIVIDUAL,
        DutyType.MAIN,
        ScopeKind.PERSON,
    )
    assert (first.frequency, first.deadline, first.system) == (Frequency.ONCE, "2026-12-31", None)
    assert first.measures == "交办来源：2026年第三季度督查" and is_assigned(first)
    second = (await session.exec(select(Item).where(col(Item.code) == "JB002"))).one()
    assert second.duty_type is DutyType.SUPERVISION  # the unit's 纪检负责人
    due = (
        await session.exec(
            select(DueItem)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .where(col(Holding.item_id) == first.id)
        )
    ).one()
    assert (due.period_key, due.due_date) == ("once", date(2026, 12, 31))
    audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "assign"))).all()
    assert len(audit) == 2 and '"item": "JB001"' in audit[0].detail

    later = NOW + timedelta(days=1)
    await import_directory(session, tables=read_directory(DISTRICT), now=later, zone=ZONE)
    await session.refresh(first)
    assert first.active
    holding = (await session.exec(select(Holding).where(col(Holding.item_id) == first.id))).one()
    assert holding.active
    codes = {o.item_code for o in await outstanding(session, now=later, zone=ZONE)}
    assert {"JB001", "JB002"} <= codes


async def test_only_an_active_official_of_the_unit_can_hold_a_task(session: AsyncSession) -> None:
    await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
    unit_id, _ = await by_codes(session, unit_code="U01", person_code="P0101")
    choices = await holders(session, unit_id=unit_id)
    assert [c.code for c in choices] == ["P0101", "P0102", "P0103", "P0104"]  # 第一责任人 first
    _, secretary = await by_codes(session, unit_code="U01", person_code="P0105")
    with pytest.raises(AssignProblem):
        await assign_task(
            session,
            unit_id=unit_id,
            person_id=secretary,
            task=Task("整改", date(2026, 12, 31), "督查"),
            actor_person_id=1,
            now=NOW,
            zone=ZONE,
        )
    with pytest.raises(AssignProblem):
        await by_codes(session, unit_code="U02", person_code="P0101")


async def test_tasks_are_tracked_to_closure_and_reminded_once_a_day(session: AsyncSession) -> None:
    await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
    await _assign(session, "P0101", date(2026, 12, 31))
    await _assign(session, "P0201", date(2026, 11, 25))
    await _assign(session, "P0401", date(2026, 12, 10))
    later = datetime.combine(date(2026, 11, 27), time(10), tzinfo=ZONE)
    tasks = {t.item_code: t for t in await tracked(session, now=later, zone=ZONE)}
    assert (tasks["JB002"].state, tasks["JB002"].days) == (State.OVERDUE, 2)
    assert (tasks["JB001"].state, tasks["JB001"].days) == (State.OPEN, 34)
    due = tasks["JB003"]
    await add_record(
        session,
        origin="test:jb003",
        due_item_id=due.due_item_id,
        author_id=due.holder_id,
        unit_id=(await by_codes(session, unit_code="U04", person_code="P0401"))[0],
        text="已整改",
        happened_on=date(2026, 11, 26),
        now=later,
    )
    await session.commit()
    tasks = {t.item_code: t for t in await tracked(session, now=later, zone=ZONE)}
    assert (tasks["JB003"].state, tasks["JB003"].done_on) == (State.DONE, date(2026, 11, 26))
    assert [t.item_code for t in await tracked(session, now=later, zone=ZONE)] == [
        "JB002",
        "JB001",
        "JB003",
    ]  # overdue, open, done
    closing = await session.get(DueItem, tasks["JB002"].due_item_id)
    assert closing is not None
    closing.closed_at, closing.closed_reason = later, "已在督查整改会上销号"
    await session.commit()
    tasks = {t.item_code: t for t in await tracked(session, now=later, zone=ZONE)}
    assert tasks["JB002"].state is State.CLOSED and not tasks["JB002"].open
    open_task = tasks["JB001"]
    bound = type(open_task)(**{**open_task.__dict__, "telegram_id": 777})
    assert await queue_reminder(session, task=bound, text="提醒", now=later, zone=ZONE)
    assert not await queue_reminder(session, task=bound, text="提醒", now=later, zone=ZONE)
    tomorrow = later + timedelta(days=1)
    assert await queue_reminder(session, task=bound, text="提醒", now=tomorrow, zone=ZONE)
    await session.commit()
    rows = (await session.exec(select(Outbox).where(Outbox.kind == "assign"))).all()
    assert len(rows) == 2 and rows[0].chat_id == 777
