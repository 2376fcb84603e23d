"""Outstanding items: what was missed stays on the list, every day of the year, until recorded or closed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, load_viewer
from bot.services.errors import CloseProblem, CloseRefused
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger import due_items
from bot.services.ledger.closing import close_due_item, holder_outstanding
from bot.services.ledger.due_items import roll_due_items
from bot.services.ledger.outstanding import outstanding
from bot.services.ledger.status import Ledger, Status, my_list, unit_list
from bot.texts import ledger as ledger_texts
from bot.texts import plain
from storage.models import AuditEntry, DueItem, Holding, Item, Person, Record, Unit
from tests.services.helpers import DISTRICT, ZONE, district, drop, read_rows, write_rows

# P0101 holds C01-C09, I0101 and (as 第一责任人) U01's D01, D02; nothing is ever recorded here.
# Due in 2026, all on or before 12-31: C02, C03 (03-31), C04 (06-30); D01's November (11-30).
DUE_ON_NEW_YEARS_EVE = {"C01", "C05", "C06", "I0101", "C07", "C08", "C09", "D01", "D02"}


def at(day: date, hour: int = 0, minute: int = 10) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _import(session: AsyncSession, when: datetime, folder: Path = DISTRICT) -> None:
    await import_directory(session, tables=read_directory(folder), now=when, zone=ZONE)


async def _viewer(session: AsyncSession, code: str) -> Viewer:
    person, unit = (
        await session.exec(
            select(Person, Unit)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Person.code) == code)
        )
    ).one()
    return await load_viewer(session, person, unit)


async def _my(session: AsyncSession, code: str, when: datetime) -> Ledger:
    return await my_list(session, viewer=await _viewer(session, code), now=when, zone=ZONE)


async def _daily(session: AsyncSession, first: date, last: date) -> AsyncIterator[date]:
    """Each day from `first` to `last`, after the 00:05 roll the scheduler runs."""
    for day in days(first, last):
        await roll_due_items(session, now=at(day, 0, 5), zone=ZONE)
        yield day


def _overdue(ledger: Ledger) -> set[tuple[str, str]]:
    return {
        (line.item_code, line.period.key) for line in ledger.lines if line.status is Status.OVERDUE
    }


async def test_new_years_eve_items_are_overdue_on_new_years_day_not_gone(
    session: AsyncSession,
) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    async for day in _daily(session, date(2026, 11, 24), date(2027, 1, 10)):
        if day < date(2026, 12, 25):
            continue
        for moment in (at(day, 0, 10), at(day, 23, 59)):
            ledger = await _my(session, "P0101", moment)
            expected = 4 if day <= date(2026, 12, 31) else 4 + len(DUE_ON_NEW_YEARS_EVE)
            assert ledger.count(Status.OVERDUE) == expected, moment
        if day == date(2026, 12, 31):
            today = {line.item_code for line in ledger.lines if line.days_left == 0}
            assert today == DUE_ON_NEW_YEARS_EVE
            assert plain(ledger_texts.my_list(await _viewer(session, "P0101"), ledger)).count(
                "今天到期"
            ) == len(DUE_ON_NEW_YEARS_EVE)
    ledger = await _my(session, "P0101", at(date(2027, 1, 1)))
    assert _overdue(ledger) == {
        ("C02", "2026"), ("C03", "2026"), ("C04", "2026"), ("D01", "2026-11"),
        ("C01", "2026-Q4"), ("C05", "2026-Q4"), ("C06", "2026-Q4"), ("I0101", "2026-Q4"),
        ("C07", "2026-H2"), ("C08", "2026-H2"), ("C09", "2026"), ("D02", "2026"),
        ("D01", "2026-12"),
    }  # fmt: skip
    assert [line.status for line in ledger.lines][:13] == [Status.OVERDUE] * 13  # overdue first
    assert ledger.earlier == 15  # and the built-in 季度自查 and 半年报告 of Q4/H2, due in January
    current = {line.item_code for line in ledger.lines if line.current}
    assert current == {f"C0{n}" for n in range(1, 10)} | {"D01", "D02", "I0101", "ZC", "BG"}
    text = plain(ledger_texts.my_list(await _viewer(session, "P0101"), ledger))
    assert "⚠️【C01】" in text
    assert "2026年第四季度 · 截止 2026-12-31 · 已逾期 1 天" in text
    assert "2026年12月 · 截止 2026-12-31 · 已逾期 1 天" in text
    assert "⚠️ 已逾期 13" in text
    assert "含往期未完成 15 项" in text
    secretary = await _viewer(session, "P0105")
    unit = await unit_list(session, unit_id=secretary.unit_id, now=at(date(2027, 1, 1)), zone=ZONE)
    assert {("C01", "2026-Q4"), ("D01", "2026-12"), ("M01", "2026-Q4")} <= _overdue(unit)


@pytest.mark.parametrize(
    ("imported", "edge", "before", "after", "new"),
    [
        # 11-30 → 12-01: D01's November (the unit's monthly ledger) becomes overdue
        (date(2026, 11, 23), date(2026, 12, 1), 3, 4, {("D01", "2026-11")}),
        # 06-30 → 07-01: the second quarter, the first half and C04 (06-30) become overdue
        (
            date(2026, 6, 20),
            date(2026, 7, 1),
            2,
            10,
            {("C01", "2026-Q2"), ("C05", "2026-Q2"), ("C06", "2026-Q2"), ("I0101", "2026-Q2"),
             ("C07", "2026-H1"), ("C08", "2026-H1"), ("D01", "2026-06"), ("C04", "2026")},
        ),
    ],
)  # fmt: skip
async def test_the_overdue_count_is_right_across_a_month_end(
    session: AsyncSession,
    imported: date,
    edge: date,
    before: int,
    after: int,
    new: set[tuple[str, str]],
) -> None:
    await _import(session, at(imported, 10, 0))
    async for day in _daily(session, imported + timedelta(days=1), edge + timedelta(days=3)):
        ledger = await _my(session, "P0101", at(day))
        assert ledger.count(Status.OVERDUE) == (before if day < edge else after), day
        if day == edge - timedelta(days=1):
            earlier = _overdue(ledger)
    assert _overdue(ledger) - earlier == new


async def test_a_roll_after_downtime_creates_the_missed_periods_but_none_before_a_holding(
    session: AsyncSession, tmp_path: Path
) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    # the bot is down from 11-23 until 2027-01-20: December and the new year were never rolled
    await roll_due_items(session, now=at(date(2027, 1, 20), 0, 5), zone=ZONE)
    assert await _periods(session, "S03", "P0103") == ["2026-11", "2026-12", "2027-01"]
    assert await _periods(session, "C01", "P0101") == ["2026-Q4", "2027-Q1"]
    assert await _periods(session, "C02", "P0101") == ["2026", "2027"]
    overdue = _overdue(await _my(session, "P0103", at(date(2027, 1, 20))))
    assert {("S03", "2026-11"), ("S03", "2026-12"), ("S02", "2026-Q4")} <= overdue
    # a discipline official who joins now owes nothing of the months before
    folder = district(tmp_path)
    headers, rows = read_rows(folder, "people.csv")
    new = {"人员编码": "P0199", "姓名": "钱新", "单位编码": "U01", "职务": "镇纪委副书记"}
    write_rows(folder, "people.csv", headers, [*rows, {**new, "责任角色": "纪检负责人"}])
    await _import(session, at(date(2027, 1, 20), 10, 0), folder)
    await roll_due_items(session, now=at(date(2027, 3, 2), 0, 5), zone=ZONE)
    assert await _periods(session, "S03", "P0199") == ["2027-01", "2027-02", "2027-03"]
    assert await _periods(session, "S02", "P0199") == ["2027-Q1"]


async def test_a_returning_holding_owes_nothing_for_its_time_away(
    session: AsyncSession, tmp_path: Path
) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    folder = district(tmp_path)
    drop(folder, "people.csv", "P0103")
    await _import(session, at(date(2026, 11, 24), 10, 0), folder)
    await roll_due_items(session, now=at(date(2027, 2, 1), 0, 5), zone=ZONE)
    await _import(session, at(date(2027, 2, 10), 10, 0))
    assert await _periods(session, "S03", "P0103") == ["2026-11", "2027-02"]


async def _periods(session: AsyncSession, item: str, person: str) -> list[str]:
    query = (
        select(DueItem.period_key)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id))
        .where(col(Item.code) == item, col(Person.code) == person)
        .order_by(col(DueItem.period_start))
    )
    return list((await session.exec(query)).all())


async def _due_item(session: AsyncSession, item: str, person: str, key: str) -> DueItem:
    query = (
        select(DueItem)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id))
        .where(col(Item.code) == item, col(Person.code) == person, col(DueItem.period_key) == key)
    )
    return (await session.exec(query)).one()


async def _admin_id(session: AsyncSession) -> int:
    admin = (await session.exec(select(Person).where(col(Person.code) == "P0001"))).one()
    assert admin.id is not None
    return admin.id


async def test_an_admin_closes_an_outstanding_item_with_a_reason(session: AsyncSession) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    await roll_due_items(session, now=at(date(2027, 1, 1), 0, 5), zone=ZONE)
    when = at(date(2027, 1, 3), 9, 0)
    before = await outstanding(session, now=when, zone=ZONE)
    closed = await close_due_item(
        session,
        holder_code="p0101",
        item_code="c04",
        period_key="2026",
        reason="  年中调离，\n党课由继任者补讲 ",
        actor_person_id=await _admin_id(session),
        now=when,
        zone=ZONE,
    )
    assert (closed.item_code, closed.period.key, closed.due) == ("C04", "2026", date(2026, 6, 30))
    assert (closed.days_overdue, closed.reason) == (187, "年中调离， 党课由继任者补讲")
    after = await outstanding(session, now=when, zone=ZONE)
    assert {o.due_item_id for o in before} - {o.due_item_id for o in after} == {
        (await _due_item(session, "C04", "P0101", "2026")).id
    }
    row = await _due_item(session, "C04", "P0101", "2026")
    assert (row.closed_at, row.closed_by) == (when, await _admin_id(session))
    ledger = await _my(session, "P0101", when)
    assert ("C04", "2026") not in _overdue(ledger)
    assert ledger.count(Status.OVERDUE) == 12
    audit = (
        await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "close_due_item"))
    ).one()
    assert audit.actor_person_id == await _admin_id(session)
    assert json.loads(audit.detail) == {
        "due_item_id": row.id,
        "holder": "P0101",
        "item": "C04",
        "period": "2026",
        "reason": "年中调离， 党课由继任者补讲",
    }


async def test_a_closed_item_of_this_period_shows_as_closed(session: AsyncSession) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    when = at(date(2026, 11, 25), 9, 0)
    await close_due_item(
        session,
        holder_code="U01",
        item_code="D01",
        period_key="2026-11",
        reason="台账系统迁移，本月免报",
        actor_person_id=await _admin_id(session),
        now=when,
        zone=ZONE,
    )
    ledger = await _my(session, "P0105", when)
    d01 = next(line for line in ledger.lines if line.item_code == "D01")
    assert d01.status is Status.CLOSED
    text = plain(ledger_texts.my_list(await _viewer(session, "P0105"), ledger))
    assert "⚪【D01】" in text
    assert "已关闭（台账系统迁移，本月免报）" in text
    assert "⚪ 已关闭 1" in text
    # the next month it is neither overdue nor listed
    await roll_due_items(session, now=at(date(2026, 12, 1), 0, 5), zone=ZONE)
    ledger = await _my(session, "P0105", at(date(2026, 12, 1)))
    assert [(line.period.key, line.status) for line in ledger.lines if line.item_code == "D01"] == [
        ("2026-12", Status.OPEN)
    ]


async def _refused(session: AsyncSession, *words: str) -> CloseRefused:
    holder, item, period, reason = (*words, "", "", "")[:4]
    with pytest.raises(CloseRefused) as caught:
        await close_due_item(
            session,
            holder_code=holder,
            item_code=item,
            period_key=period,
            reason=reason,
            actor_person_id=await _admin_id(session),
            now=at(date(2026, 11, 25), 9, 0),
            zone=ZONE,
        )
    return caught.value


async def test_closing_refuses_bad_input_clearly(session: AsyncSession) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    p0201_c04 = await _due_item(session, "C04", "P0201", "2026")
    p0103 = (await session.exec(select(Person).where(col(Person.code) == "P0103"))).one()
    assert p0103.id is not None and p0201_c04.id is not None
    session.add(
        Record(
            due_item_id=p0201_c04.id,
            author_id=p0103.id,
            unit_id=p0103.unit_id,
            text="讲廉政党课",
            happened_on=date(2026, 5, 20),
            recorded_at=at(date(2026, 11, 24)),
        )
    )
    await session.commit()
    await close_due_item(
        session,
        holder_code="P0101",
        item_code="C02",
        period_key="2026",
        reason="计划已线下报送",
        actor_person_id=await _admin_id(session),
        now=at(date(2026, 11, 24), 9, 0),
        zone=ZONE,
    )
    cases = [
        (("P9999", "C04", "2026", "x"), CloseProblem.UNKNOWN_HOLDER, "P9999"),
        (("P0101", "Z99", "2026", "x"), CloseProblem.UNKNOWN_ITEM, "Z99"),
        (("P0101", "C04", "2026-Q5", "x"), CloseProblem.BAD_PERIOD, "2026-Q5"),
        (("P0101", "C04", "下半年", "x"), CloseProblem.BAD_PERIOD, "下半年"),
        (("P0102", "C04", "2026", "x"), CloseProblem.NOT_HELD, "C04"),
        (("P0101", "C04", "2025", "x"), CloseProblem.NO_DUE_ITEM, "C04"),
        (("P0101", "C04", "2026-Q4", "x"), CloseProblem.NO_DUE_ITEM, "C04"),
        (("P0101", "C04", "2026"), CloseProblem.NO_REASON, "C04"),
        (("P0101", "C04", "2026", "  "), CloseProblem.NO_REASON, "C04"),
        (("P0201", "C04", "2026", "x"), CloseProblem.ALREADY_DONE, "C04"),
        (("P0101", "C02", "2026", "x"), CloseProblem.ALREADY_CLOSED, "C02"),
    ]
    for words, problem, value in cases:
        refused = await _refused(session, *words)
        assert (refused.problem, refused.value) == (problem, value), words
        text = ledger_texts.close_refused(
            refused.problem, refused.value, refused.holder, refused.detail
        )
        assert value in text
    closed = await _refused(session, "P0101", "C02", "2026", "again")
    assert closed.detail == "2026-11-24 09:00"
    count = (
        await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "close_due_item"))
    ).all()
    assert len(count) == 1


async def test_a_holders_outstanding_items_oldest_first(session: AsyncSession) -> None:
    await _import(session, at(date(2026, 11, 23), 10, 0))
    await roll_due_items(session, now=at(date(2026, 12, 1), 0, 5), zone=ZONE)
    label, items = await holder_outstanding(
        session, holder_code="P0101", now=at(date(2026, 12, 1)), zone=ZONE
    )
    assert label == "陈立新（P0101）"
    assert [(o.item_code, o.period.key) for o in items][:4] == [
        ("C02", "2026"), ("C03", "2026"), ("C04", "2026"), ("D01", "2026-11")
    ]  # fmt: skip
    assert [o.days_overdue for o in items][:4] == [245, 245, 154, 1]
    assert len(items) == 15  # C01-C09, I0101, D01 twice, D02, and Q4 ZC and H2 BG (not yet due)


async def test_the_roll_writes_in_small_transactions_and_a_second_roll_adds_nothing(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily roll commits every ROLL_CHUNK rows (SQLite's write lock is held for moments);
    what it makes is the same, and a roll run again (after a kill halfway) adds only what is
    missing, never a duplicate."""
    monkeypatch.setattr(due_items, "ROLL_CHUNK", 7)
    await _import(session, at(date(2026, 11, 23), 10, 0))
    created = await roll_due_items(session, now=at(date(2027, 1, 20), 0, 5), zone=ZONE)
    assert created > 7 * 3  # several transactions
    assert await _periods(session, "S03", "P0103") == ["2026-11", "2026-12", "2027-01"]
    await session.exec(delete(DueItem).where(col(DueItem.period_key) == "2027-01"))
    await session.commit()  # as if killed after the December rows
    again = await roll_due_items(session, now=at(date(2027, 1, 20), 0, 5), zone=ZONE)
    assert 0 < again < created
    assert await _periods(session, "S03", "P0103") == ["2026-11", "2026-12", "2027-01"]
    assert await roll_due_items(session, now=at(date(2027, 1, 20), 0, 5), zone=ZONE) == 0
