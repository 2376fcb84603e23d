"""Applying an import to a real database: snapshot semantics, holdings, due items, no partial writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.apply import ImportSummary, ensure_due_items, import_directory
from bot.services.importing.read import RawTables, read_directory, read_workbook
from bot.texts.importing import render_summary
from storage.models import AuditEntry, DueItem, Holding, Item, Person, PersonRole, Role, Unit
from tests.services.helpers import (
    DISTRICT,
    LATER,
    NOW,
    ZONE,
    district,
    drop,
    edit,
    read_rows,
    snapshot,
    workbook_bytes,
    write_rows,
)

# C01-C09 × 11 first officials, D01-D02 × 11 teams, M × 11 members, S × 7 discipline, 17 I
SAMPLE_HOLDINGS = 9 * 11 + 2 * 11 + 5 * 11 + 7 * 7 + 17 + 2 * 29  # + ZC, BG per official


async def _import(
    session: AsyncSession, tables: RawTables, now: datetime = NOW, actor: int | None = None
) -> ImportSummary:
    return await import_directory(session, tables=tables, now=now, zone=ZONE, actor_person_id=actor)


async def _rejected(session: AsyncSession, tables: RawTables) -> list[ImportProblem]:
    before = await snapshot(session)
    with pytest.raises(ImportRejected) as caught:
        await _import(session, tables, LATER)
    assert await snapshot(session) == before, "a rejected import wrote something"
    return caught.value.problems


async def _held(session: AsyncSession, person_code: str) -> set[str]:
    query = (
        select(Item.code)
        .join(Holding, col(Holding.item_id) == col(Item.id))
        .join(Person, col(Person.id) == col(Holding.person_id))
        .where(col(Person.code) == person_code, col(Holding.active).is_(True))
    )
    return set((await session.exec(query)).all())


async def _person(session: AsyncSession, code: str) -> Person:
    return (await session.exec(select(Person).where(col(Person.code) == code))).one()


async def _roles(session: AsyncSession, person: Person) -> set[Role]:
    query = select(col(PersonRole.role)).where(col(PersonRole.person_id) == person.id)
    return set((await session.exec(query)).all())


async def test_sample_district_imports(session: AsyncSession) -> None:
    summary = await _import(session, read_directory(DISTRICT))
    assert (summary.units.added, summary.people.added, summary.items.added) == (12, 40, 40)
    assert summary.holdings.added == SAMPLE_HOLDINGS == 300
    assert summary.due_items_created == 300
    assert await _held(session, "P0101") == {f"C0{n}" for n in range(1, 10)} | {"I0101", "ZC", "BG"}
    assert await _held(session, "P0803") == {"M01", "M02", "M03", "M04", "M05", "ZC", "BG"}
    assert await _held(session, "P0105") == set()
    team = (
        await session.exec(
            select(Item.code)
            .join(Holding, col(Holding.item_id) == col(Item.id))
            .join(Unit, col(Unit.id) == col(Holding.unit_id))
            .where(col(Unit.code) == "U01", col(Holding.person_id).is_(None))
        )
    ).all()
    assert sorted(team) == ["D01", "D02"]
    query = (
        select(DueItem, Item.code, Person.code)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .join(Person, col(Person.id) == col(Holding.person_id))
    )
    rows = (await session.exec(query)).all()
    due = {(item, person): (d.period_key, d.due_date) for d, item, person in rows}
    assert due[("C01", "P0101")] == ("2026-Q4", date(2026, 12, 31))
    assert due[("C02", "P0101")] == ("2026", date(2026, 3, 31))
    assert due[("C07", "P0101")] == ("2026-H2", date(2026, 12, 31))
    assert due[("S03", "P0103")] == ("2026-11", date(2026, 11, 30))
    assert await _roles(session, await _person(session, "P0101")) == {Role.FIRST}
    u01 = (await session.exec(select(Unit).where(col(Unit.code) == "U01"))).one()
    assert u01.created_at == u01.updated_at == NOW
    audit = (await session.exec(select(AuditEntry))).one()
    assert (audit.action, audit.at) == ("import", NOW)
    assert json.loads(audit.detail)["holdings"]["added"] == 300
    assert render_summary(summary).startswith(
        "导入完成：单位 新增 12、更新 0、停用 0、未变 0；人员 新增 40"
    )


async def test_identical_reimport_changes_nothing(session: AsyncSession) -> None:
    await _import(session, read_directory(DISTRICT))
    before = await snapshot(session, skip=("auditentry",))
    summary = await _import(session, read_directory(DISTRICT), LATER, actor=3)
    assert await snapshot(session, skip=("auditentry",)) == before
    assert summary.changed_nothing
    unchanged = (summary.units, summary.people, summary.items, summary.holdings)
    assert [k.unchanged for k in unchanged] == [12, 40, 40, 300]
    assert "完全一致" in render_summary(summary)
    audits = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert [(a.at, a.actor_person_id) for a in audits] == [(NOW, None), (LATER, 3)]


async def test_changed_rows_update_only_themselves(session: AsyncSession, tmp_path: Path) -> None:
    await _import(session, read_directory(DISTRICT))
    folder = district(tmp_path)
    edit(folder, "units.csv", "U05", "单位名称", "区住房和城乡建设局")
    edit(folder, "units.csv", "U05", "上级单位编码", "U00")
    edit(folder, "people.csv", "P0102", "责任角色", "班子成员、联络员")
    edit(folder, "people.csv", "P0202", "单位编码", "U03")
    edit(folder, "items.csv", "C02", "完成时限", "04-30")
    summary = await _import(session, read_directory(folder), LATER)
    assert (summary.units.updated, summary.units.unchanged) == (1, 11)
    assert (summary.people.updated, summary.people.unchanged) == (2, 38)
    assert (summary.items.updated, summary.items.unchanged) == (1, 39)
    # P0202 moved from U02 to U03: their M01..M05, I0202, ZC and BG copies move with them
    assert (summary.holdings.added, summary.holdings.updated) == (0, 8)  # + ZC, BG
    assert summary.due_items_created == 0
    units = {u.code: u for u in (await session.exec(select(Unit))).all()}
    assert units["U05"].name == "区住房和城乡建设局"
    assert units["U05"].parent_id == units["U00"].id
    assert units["U05"].updated_at == LATER
    assert units["U04"].updated_at == NOW
    p0102 = await _person(session, "P0102")
    assert p0102.updated_at == LATER
    assert await _roles(session, p0102) == {Role.MEMBER, Role.SECRETARY}
    c02 = (await session.exec(select(Item).where(col(Item.code) == "C02"))).one()
    assert (c02.deadline, c02.updated_at) == ("04-30", LATER)


async def test_missing_person_is_deactivated_not_deleted(
    session: AsyncSession, tmp_path: Path
) -> None:
    await _import(session, read_directory(DISTRICT))
    folder = district(tmp_path)
    drop(folder, "people.csv", "P0104")
    drop(folder, "items.csv", "I0104")
    summary = await _import(session, read_directory(folder), LATER)
    assert (summary.people.deactivated, summary.items.deactivated) == (1, 1)
    assert summary.holdings.deactivated == 8  # M01..M05, I0104, ZC and BG
    p0104 = await _person(session, "P0104")
    assert not p0104.active
    assert p0104.updated_at == LATER
    assert await _held(session, "P0104") == set()
    rows = (await session.exec(select(Holding).where(col(Holding.person_id) == p0104.id))).all()
    assert len(rows) == 8
    assert not any(h.active for h in rows)
    # back again: the same rows come back to life, no duplicates
    summary = await _import(session, read_directory(DISTRICT), LATER)
    assert (summary.people.updated, summary.items.updated, summary.holdings.updated) == (1, 1, 8)
    assert summary.holdings.added == 0
    assert (await _person(session, "P0104")).active
    assert len((await session.exec(select(Holding))).all()) == 300


async def test_unit_without_first_official_loses_team_copies(
    session: AsyncSession, tmp_path: Path
) -> None:
    await _import(session, read_directory(DISTRICT))
    folder = district(tmp_path)
    edit(folder, "people.csv", "P1101", "责任角色", "班子成员")
    drop(folder, "items.csv", "I1101")
    summary = await _import(session, read_directory(folder), LATER)
    # U11 loses D01, D02; P1101 loses C01..C09 and I1101, gains M01..M05
    assert (summary.holdings.deactivated, summary.holdings.added) == (2 + 9 + 1, 5)
    assert summary.due_items_created == 5


async def test_telegram_id_binds_and_empty_cell_keeps_it(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0101", "Telegram用户ID", "700100")
    await _import(session, read_directory(folder))
    p0101 = await _person(session, "P0101")
    assert (p0101.telegram_id, p0101.bound_at) == (700100, NOW)
    summary = await _import(session, read_directory(DISTRICT), LATER)
    assert summary.changed_nothing
    assert (await _person(session, "P0101")).telegram_id == 700100
    edit(folder, "people.csv", "P0101", "Telegram用户ID", "")
    edit(folder, "people.csv", "P0201", "Telegram用户ID", "700100")
    problems = await _rejected(session, read_directory(folder))
    assert [(p.source, p.row, p.column, p.code, p.detail) for p in problems] == [
        ("people.csv", 9, "Telegram用户ID", "telegram_id_taken", "P0101")
    ]


BAD = [
    ("people.csv", "P0104", "单位编码", "U99", ("people.csv", 7, "单位编码", "unknown_unit")),
    ("items.csv", "I0101", "适用范围", "P9999", ("items.csv", 25, "适用范围", "unknown_scope")),
    ("items.csv", "I0202", "事项编码", "I0201", ("items.csv", 29, "事项编码", "duplicate_code")),
    ("people.csv", "P0105", "人员编码", "P0104", ("people.csv", 8, "人员编码", "duplicate_code")),
    ("people.csv", "P0102", "责任角色", "班子成员、书记", ("people.csv", 5, "责任角色", "unknown_role")),
    ("items.csv", "C01", "频次", "每周", ("items.csv", 2, "频次", "bad_choice")),
    ("items.csv", "C02", "完成时限", "02-30", ("items.csv", 3, "完成时限", "deadline_no_such_day")),
    ("items.csv", "C02", "完成时限", "13-01", ("items.csv", 3, "完成时限", "deadline_no_such_day")),
    ("items.csv", "C02", "完成时限", "下月", ("items.csv", 3, "完成时限", "deadline_bad_format")),
    ("items.csv", "C01", "完成时限", "03-31", ("items.csv", 2, "完成时限", "deadline_month_day_only_yearly")),
    ("items.csv", "C01", "频次", "一次性", ("items.csv", 2, "完成时限", "deadline_once_needs_date")),
    ("items.csv", "C01", "适用范围", "联络员", ("items.csv", 2, "适用范围", "scope_role_holds_nothing")),
    ("items.csv", "I0104", "协办单位", "U04、U99", ("items.csv", 27, "协办单位", "unknown_unit")),
]  # fmt: skip


@pytest.mark.parametrize(("file", "code", "column", "value", "expected"), BAD)
async def test_bad_input_writes_nothing(
    session: AsyncSession,
    tmp_path: Path,
    file: str,
    code: str,
    column: str,
    value: str,
    expected: tuple[str, int, str, str],
) -> None:
    await _import(session, read_directory(DISTRICT))
    folder = district(tmp_path)
    edit(folder, file, code, column, value)
    problems = await _rejected(session, read_directory(folder))
    assert [(p.source, p.row, p.column, p.code) for p in problems] == [expected]


async def test_bad_first_import_writes_nothing(session: AsyncSession, tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0104", "单位编码", "U99")
    edit(folder, "items.csv", "C02", "完成时限", "02-30")
    problems = await _rejected(session, read_directory(folder))
    assert len(problems) == 2
    assert (await session.exec(select(Unit))).all() == []


async def test_workbook_imports_like_the_csvs(session: AsyncSession, tmp_path: Path) -> None:
    folder = district(tmp_path)
    headers, rows = read_rows(folder, "people.csv")
    write_rows(folder, "people.csv", [*headers, "Telegram用户ID"], rows)
    edit(folder, "people.csv", "P0101", "Telegram用户ID", "5550101")
    await _import(session, read_directory(folder))
    before = await snapshot(session, skip=("auditentry",))
    cells = {
        ("责任清单", "C02", "完成时限"): datetime(2026, 3, 31),  # noqa: DTZ001  (Excel's naive date for 03-31)
        ("责任清单", "C09", "完成时限"): date(2025, 12, 31),
        ("人员", "P0101", "Telegram用户ID"): 5550101.0,
    }
    data = workbook_bytes(folder, tmp_path, cells)
    summary = await _import(session, read_workbook(data), LATER)
    assert summary.changed_nothing
    assert await snapshot(session, skip=("auditentry",)) == before


async def test_workbook_into_empty_database(session: AsyncSession, tmp_path: Path) -> None:
    summary = await _import(session, read_workbook(workbook_bytes(DISTRICT, tmp_path, {})))
    assert (summary.units.added, summary.people.added, summary.items.added) == (12, 40, 40)
    assert summary.holdings.added == summary.due_items_created == 300


async def test_ensure_due_items_rolls_into_the_next_period(session: AsyncSession) -> None:
    await _import(session, read_directory(DISTRICT))
    december = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai: a new month
    created = (await ensure_due_items(session, now=december, zone=ZONE)).created
    await session.commit()
    monthly = 11 * 1 + 7 * 1  # D01 per team, S03 per discipline official
    assert created == monthly
    assert (await ensure_due_items(session, now=december, zone=ZONE)).created == 0
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Shanghai
    assert (await ensure_due_items(session, now=new_year, zone=ZONE)).created == 300
    await session.commit()
    count = len((await session.exec(select(DueItem.id))).all())
    assert count == 300 + monthly + 300


async def test_progress_reports_each_stage(session: AsyncSession) -> None:
    calls: list[tuple[str, int, int]] = []

    async def progress(stage: str, done: int, total: int) -> None:
        calls.append((stage, done, total))

    await import_directory(
        session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE, progress=progress
    )
    assert [stage for stage, _, _ in calls] == [
        "check", "units", "people", "items", "holdings", "due_items"
    ]  # fmt: skip
    assert [total for _, done, total in calls if done == total] == [1, 12, 40, 40, 300, 300]
