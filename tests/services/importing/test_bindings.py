"""A Telegram ID in the 人员 table: it moves from a person the import deactivates, never silently."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import viewer_for
from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.apply import ImportSummary, import_directory
from bot.services.importing.read import RawTables, read_directory, read_workbook
from bot.texts.importing import render_problems, render_summary
from storage.models import AuditEntry, Person
from tests.services.helpers import (
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

TG = "Telegram用户ID"


async def _import(
    session: AsyncSession, tables: RawTables, now: datetime = NOW, actor: int | None = None
) -> ImportSummary:
    return await import_directory(session, tables=tables, now=now, zone=ZONE, actor_person_id=actor)


async def _person(session: AsyncSession, code: str) -> Person:
    return (await session.exec(select(Person).where(col(Person.code) == code))).one()


def _add_p0106(folder: Path, telegram_id: str) -> None:
    """P0106 刘新, U01's new 联络员 (row 42 of people.csv)."""
    headers, rows = read_rows(folder, "people.csv")
    values = ["P0106", "刘新", "U01", "党政办主任", "联络员", telegram_id]
    rows.append(dict(zip(headers, values, strict=True)))
    write_rows(folder, "people.csv", headers, rows)


def _moves(summary: ImportSummary) -> list[tuple[int, str, str]]:
    return [(m.telegram_id, m.from_code, m.to_code) for m in summary.bindings_moved]


async def _bound_p0105(session: AsyncSession, tmp_path: Path) -> Path:
    """The sample district with P0105 刘佳 bound to 555, imported; returns a folder to edit."""
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0105", TG, "555")
    await _import(session, read_directory(folder))
    assert (await _person(session, "P0105")).telegram_id == 555
    edit(folder, "people.csv", "P0105", TG, "")
    return folder


async def test_successor_in_the_same_file_takes_the_binding(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = await _bound_p0105(session, tmp_path)
    drop(folder, "people.csv", "P0105")
    _add_p0106(folder, "555")
    summary = await _import(session, read_directory(folder), LATER, actor=1)
    assert _moves(summary) == [(555, "P0105", "P0106")]
    assert (summary.people.added, summary.people.deactivated) == (1, 1)
    old, new = await _person(session, "P0105"), await _person(session, "P0106")
    assert (old.active, old.telegram_id, old.bound_at) == (False, None, None)
    assert (new.active, new.telegram_id, new.bound_at) == (True, 555, LATER)
    viewer = await viewer_for(session, telegram_id=555)
    assert viewer is not None and viewer.code == "P0106"
    report = render_summary(summary)
    assert "Telegram 账号 555 从 P0105 转给 P0106" in report
    audits = (
        await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "binding_moved"))
    ).all()
    assert [(a.at, a.actor_person_id, json.loads(a.detail)) for a in audits] == [
        (LATER, 1, {"telegram_id": 555, "from": "P0105", "to": "P0106"})
    ]
    # the same file again: nothing moves, nothing changes
    again = await _import(session, read_directory(folder), LATER)
    assert again.changed_nothing and _moves(again) == []
    assert "Telegram 账号" not in render_summary(again)


async def test_binding_moves_to_a_person_already_in_the_directory(
    session: AsyncSession, tmp_path: Path
) -> None:
    """P0104's row comes before P0105's: the release must reach the database first."""
    folder = await _bound_p0105(session, tmp_path)
    drop(folder, "people.csv", "P0105")
    edit(folder, "people.csv", "P0104", TG, "555")
    summary = await _import(session, read_directory(folder), LATER)
    assert _moves(summary) == [(555, "P0105", "P0104")]
    assert (await _person(session, "P0104")).telegram_id == 555
    assert (await _person(session, "P0105")).telegram_id is None


async def test_binding_of_a_person_deactivated_earlier_moves(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = await _bound_p0105(session, tmp_path)
    drop(folder, "people.csv", "P0105")
    await _import(session, read_directory(folder), LATER)
    p0105 = await _person(session, "P0105")
    assert (p0105.active, p0105.telegram_id) == (False, 555)  # deactivated, binding kept
    _add_p0106(folder, "555")
    summary = await _import(session, read_directory(folder), LATER)
    assert _moves(summary) == [(555, "P0105", "P0106")]
    assert (await _person(session, "P0106")).telegram_id == 555
    assert (await _person(session, "P0105")).telegram_id is None


async def test_workbook_moves_the_binding_too(session: AsyncSession, tmp_path: Path) -> None:
    folder = await _bound_p0105(session, tmp_path)
    drop(folder, "people.csv", "P0105")
    _add_p0106(folder, "555")
    data = workbook_bytes(folder, tmp_path, {})
    summary = await _import(session, read_workbook(data), LATER)
    assert _moves(summary) == [(555, "P0105", "P0106")]


async def _refused(session: AsyncSession, tables: RawTables) -> list[ImportProblem]:
    before = await snapshot(session)
    with pytest.raises(ImportRejected) as caught:
        await _import(session, tables, LATER)
    assert await snapshot(session) == before, "a refused import wrote something"
    return caught.value.problems


async def test_binding_of_a_person_who_stays_active_is_refused_with_how_to_unbind(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = await _bound_p0105(session, tmp_path)
    _add_p0106(folder, "555")  # P0105 is still in the file: they keep their account
    problems = await _refused(session, read_directory(folder))
    assert [(p.source, p.row, p.column, p.code, p.detail) for p in problems] == [
        ("people.csv", 42, TG, "telegram_id_taken", "P0105")
    ]
    line = render_problems(problems).splitlines()[1]
    assert line.startswith("1. people.csv 第 42 行「Telegram用户ID」：Telegram 用户 ID 555")
    assert "P0105" in line
    assert "/unbind P0105" in line
    assert "python -m bot unbind P0105" in line


async def test_deactivated_person_coming_back_keeps_the_binding(
    session: AsyncSession, tmp_path: Path
) -> None:
    """P0105 inactive, but the file brings them back: 555 stays theirs, the row is refused."""
    folder = await _bound_p0105(session, tmp_path)
    drop(folder, "people.csv", "P0105")
    await _import(session, read_directory(folder), LATER)
    folder = district(tmp_path, "back")
    edit(folder, "people.csv", "P0104", TG, "555")
    problems = await _refused(session, read_directory(folder))
    assert [(p.row, p.code, p.detail) for p in problems] == [(7, "telegram_id_taken", "P0105")]
