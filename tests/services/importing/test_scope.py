"""适用范围 naming one person: only someone holding an official role can hold an item."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.apply import import_directory
from bot.services.importing.check import check_tables
from bot.services.importing.read import RawTables, read_directory, read_workbook
from bot.texts.importing import render_problem
from storage.models import ScopeKind
from tests.services.helpers import (
    DISTRICT,
    LATER,
    NOW,
    ZONE,
    district,
    edit,
    snapshot,
    workbook_bytes,
)


def _rejected(tables: RawTables) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as caught:
        check_tables(tables)
    return caught.value.problems


@pytest.mark.parametrize(
    ("person", "roles"),
    [("P0001", "管理员"), ("P0105", "联络员"), ("P0002", "联络员、管理员")],
)
def test_item_for_a_person_without_an_official_role_is_refused(
    tmp_path: Path, person: str, roles: str
) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0002", "责任角色", "联络员、管理员")
    edit(folder, "items.csv", "I0101", "适用范围", person)
    problems = _rejected(read_directory(folder))
    assert [(p.source, p.row, p.column, p.code, p.value, p.detail) for p in problems] == [
        ("items.csv", 25, "适用范围", "scope_person_holds_nothing", person, roles)
    ]
    line = render_problem(problems[0])
    assert line.startswith(f"items.csv 第 25 行「适用范围」：人员 {person} 的责任角色只有“{roles}”")
    assert "无人可见" in line
    assert "第一责任人、班子成员或纪检负责人" in line  # what to do


def test_workbook_names_the_sheet(tmp_path: Path) -> None:
    folder = district(tmp_path)
    cells = {("责任清单", "I0202", "适用范围"): "P0204"}
    problems = _rejected(read_workbook(workbook_bytes(folder, tmp_path, cells)))
    assert [(p.source, p.row, p.column, p.code) for p in problems] == [
        ("责任清单", 29, "适用范围", "scope_person_holds_nothing")
    ]
    assert render_problem(problems[0]).startswith("责任清单 第 29 行「适用范围」：人员 P0204")


def test_person_with_an_official_role_among_others_holds_the_item(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "items.csv", "I0101", "适用范围", "P0803")  # 联络员、班子成员
    edit(folder, "people.csv", "P0001", "责任角色", "管理员、纪检负责人")
    edit(folder, "items.csv", "I0102", "适用范围", "P0001")
    items = {i.code: i for i in check_tables(read_directory(folder)).items}
    assert (items["I0101"].scope_kind, items["I0101"].scope_person_code) == (
        ScopeKind.PERSON,
        "P0803",
    )
    assert items["I0102"].scope_person_code == "P0001"


def test_invalid_person_row_is_reported_once(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0105", "责任角色", "联络员、书记")
    edit(folder, "items.csv", "I0101", "适用范围", "P0105")
    problems = _rejected(read_directory(folder))
    assert [(p.source, p.row, p.column, p.code) for p in problems] == [
        ("people.csv", 8, "责任角色", "unknown_role")
    ]


async def test_import_refuses_an_item_nobody_would_see(
    session: AsyncSession, tmp_path: Path
) -> None:
    await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
    before = await snapshot(session)
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0104", "责任角色", "管理员")  # 孙志强 now only an admin
    with pytest.raises(ImportRejected) as caught:
        await import_directory(session, tables=read_directory(folder), now=LATER, zone=ZONE)
    assert [(p.source, p.row, p.column, p.code) for p in caught.value.problems] == [
        ("items.csv", 27, "适用范围", "scope_person_holds_nothing")
    ]
    assert await snapshot(session) == before, "a refused import wrote something"
