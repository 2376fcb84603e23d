"""Stored due dates follow 完成时限: open due items move when it changes, done and closed ones keep theirs."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.apply import ImportSummary, import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger.closing import close_due_item
from bot.services.ledger.due_items import roll_due_items
from bot.texts.importing import render_summary
from storage.models import AuditEntry, DueItem, Holding, Item, Person, Record
from tests.services.helpers import DISTRICT, LATER, NOW, ZONE, district, edit, read_rows, write_rows

FIRST_OFFICIALS = 11  # C04 (每年, 06-30, 第一责任人) is held by each unit's first official


async def _import(session: AsyncSession, folder: Path, when: datetime = NOW) -> ImportSummary:
    return await import_directory(session, tables=read_directory(folder), now=when, zone=ZONE)


async def _due(session: AsyncSession, item: str, person: str) -> DueItem:
    query = (
        select(DueItem)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id))
        .where(col(Item.code) == item, col(Person.code) == person)
    )
    return (await session.exec(query)).one()


async def _person(session: AsyncSession, code: str) -> Person:
    return (await session.exec(select(Person).where(col(Person.code) == code))).one()


async def _record(session: AsyncSession, due: DueItem, author_code: str) -> None:
    author = await _person(session, author_code)
    assert author.id is not None
    session.add(
        Record(
            due_item_id=due.id,
            author_id=author.id,
            unit_id=author.unit_id,
            text="为全体党员干部讲廉政党课",
            happened_on=date(2026, 5, 20),
            recorded_at=NOW,
        )
    )
    await session.commit()


async def test_a_changed_deadline_moves_open_due_items_not_done_ones(
    session: AsyncSession, tmp_path: Path
) -> None:
    await _import(session, DISTRICT)
    await _record(session, await _due(session, "C04", "P0201"), "P0201")
    admin = await _person(session, "P0001")
    assert admin.id is not None
    await close_due_item(
        session,
        holder_code="P0301",
        item_code="C04",
        period_key="2026",
        reason="该单位已合并",
        actor_person_id=admin.id,
        now=NOW,
        zone=ZONE,
    )
    assert (await _due(session, "C04", "P0101")).due_date == date(2026, 6, 30)
    folder = district(tmp_path)
    edit(folder, "items.csv", "C04", "完成时限", "03-31")
    summary = await _import(session, folder, LATER)
    assert (await _due(session, "C04", "P0101")).due_date == date(2026, 3, 31)
    assert (await _due(session, "C04", "P0201")).due_date == date(2026, 6, 30)  # recorded
    assert (await _due(session, "C04", "P0301")).due_date == date(2026, 6, 30)  # closed
    assert summary.due_dates_changed == FIRST_OFFICIALS - 2
    assert (summary.items.updated, summary.due_items_created) == (1, 0)
    assert "完成时限有变：9 条未完成待办的截止日期已随之更新" in render_summary(summary)
    audit = (await session.exec(select(AuditEntry).where(col(AuditEntry.at) == LATER))).one()
    assert json.loads(audit.detail)["due_items"] == {"created": 0, "redated": 9}
    again = await _import(session, folder, LATER)
    assert again.due_dates_changed == 0
    assert again.changed_nothing
    assert "截止日期" not in render_summary(again)


async def test_a_one_off_items_due_date_and_period_end_move_together(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = district(tmp_path)
    headers, rows = read_rows(folder, "items.csv")
    once = {**rows[0], "事项编码": "X01", "频次": "一次性", "完成时限": "2026-12-15"}
    write_rows(folder, "items.csv", headers, [*rows, once])
    await _import(session, folder)
    before = await _due(session, "X01", "P0101")
    assert (before.period_end, before.due_date) == (date(2026, 12, 15), date(2026, 12, 15))
    edit(folder, "items.csv", "X01", "完成时限", "2027-01-10")
    summary = await _import(session, folder, LATER)
    after = await _due(session, "X01", "P0101")
    assert (after.period_key, after.period_end, after.due_date) == (
        "once",
        date(2027, 1, 10),
        date(2027, 1, 10),
    )
    assert summary.due_dates_changed == FIRST_OFFICIALS


async def test_the_daily_roll_moves_open_due_dates_too(session: AsyncSession) -> None:
    await _import(session, DISTRICT)
    await session.exec(update(Item).where(col(Item.code) == "C04").values(deadline="03-31"))
    await session.commit()
    moved_before = (await _due(session, "C04", "P0101")).due_date
    created = await roll_due_items(session, now=LATER, zone=ZONE)
    assert (moved_before, created) == (date(2026, 6, 30), 0)
    assert (await _due(session, "C04", "P0101")).due_date == date(2026, 3, 31)
