"""Checking raw tables into a plan: every rule, every problem at once, with row and column."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.check import ImportPlan, check_tables
from bot.services.importing.read import RawTables, read_directory, read_workbook
from bot.texts.importing import render_problem, render_problems
from storage.models import Category, Frequency, Role, ScopeKind
from tests.services.helpers import DISTRICT, district, edit, read_rows, workbook_bytes, write_rows

Cell = tuple[str, int | None, str | None, str]  # source, row, column, code


def _rejected(tables: RawTables) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as caught:
        check_tables(tables)
    return caught.value.problems


def _cells(problems: list[ImportProblem]) -> list[Cell]:
    return [(p.source, p.row, p.column, p.code) for p in problems]


def test_sample_district_plan() -> None:
    plan = check_tables(read_directory(DISTRICT))
    assert (len(plan.units), len(plan.people), len(plan.items)) == (12, 40, 40)
    assert plan.warnings == []
    units = {u.code: u for u in plan.units}
    assert units["U00"].category is None
    assert units["U01"].category is Category.TOWN
    people = {p.code: p for p in plan.people}
    assert people["P0803"].roles == (Role.SECRETARY, Role.MEMBER)
    items = {i.code: i for i in plan.items}
    assert (items["C01"].scope_kind, items["C01"].scope_role) == (ScopeKind.ROLE, Role.FIRST)
    assert items["D01"].scope_kind is ScopeKind.UNIT_TEAM
    assert (items["I0101"].scope_kind, items["I0101"].scope_person_code) == (
        ScopeKind.PERSON,
        "P0101",
    )
    assert items["I0104"].co_unit_codes == "U04"
    assert items["C02"].deadline == "03-31"
    assert items["C01"].deadline is None


def test_normalises_roles_co_units_and_warns_on_unknown_columns(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0102", "责任角色", "班子成员，纪检负责人/班子成员")
    edit(folder, "items.csv", "I0104", "协办单位", "U04, U08，U04")
    edit(folder, "units.csv", "U01", "备注", "随便写")
    plan = check_tables(read_directory(folder))
    people = {p.code: p for p in plan.people}
    assert people["P0102"].roles == (Role.MEMBER, Role.DISCIPLINE)
    assert next(i for i in plan.items if i.code == "I0104").co_unit_codes == "U04、U08"
    assert [(w.source, w.code, w.value) for w in plan.warnings] == [
        ("units.csv", "unknown_column", "备注")
    ]


@pytest.mark.parametrize(
    ("file", "code", "column", "value", "expected"),
    [
        ("units.csv", "U03", "单位编码", "", ("units.csv", 5, "单位编码", "empty")),
        ("units.csv", "U03", "单位编码", "U 03", ("units.csv", 5, "单位编码", "code_has_space")),
        ("units.csv", "U03", "单位编码", "U" * 33, ("units.csv", 5, "单位编码", "too_long")),
        ("units.csv", "U03", "单位名称", "", ("units.csv", 5, "单位名称", "empty")),
        ("units.csv", "U03", "类别", "乡镇", ("units.csv", 5, "类别", "bad_choice")),
        ("units.csv", "U03", "上级单位编码", "U03", ("units.csv", 5, "上级单位编码", "parent_self")),
        ("units.csv", "U03", "上级单位编码", "U77", ("units.csv", 5, "上级单位编码", "unknown_unit")),
        ("people.csv", "P0102", "姓名", "", ("people.csv", 5, "姓名", "empty")),
        ("people.csv", "P0102", "责任角色", "", ("people.csv", 5, "责任角色", "empty")),
        ("people.csv", "P0102", "责任角色", "书记", ("people.csv", 5, "责任角色", "unknown_role")),
        ("people.csv", "P0102", "Telegram用户ID", "-5", ("people.csv", 5, "Telegram用户ID", "bad_telegram_id")),
        ("people.csv", "P0102", "Telegram用户ID", "1.2E+11", ("people.csv", 5, "Telegram用户ID", "bad_telegram_id")),
        ("items.csv", "C01", "清单", "公共", ("items.csv", 2, "清单", "bad_choice")),
        ("items.csv", "C01", "责任类型", "", ("items.csv", 2, "责任类型", "empty")),
        ("items.csv", "C01", "适用范围", "管理员", ("items.csv", 2, "适用范围", "scope_role_holds_nothing")),
        ("items.csv", "C01", "适用范围", "P9999", ("items.csv", 2, "适用范围", "unknown_scope")),
        ("items.csv", "C01", "责任内容", "", ("items.csv", 2, "责任内容", "empty")),
        ("items.csv", "C01", "主责单位", "U99", ("items.csv", 2, "主责单位", "unknown_unit")),
        ("items.csv", "C02", "完成时限", "2026-03-31", ("items.csv", 3, "完成时限", "deadline_full_date_only_once")),
        ("items.csv", "C01", "事项编码", "ZC", ("items.csv", 2, "事项编码", "reserved_code")),
        ("items.csv", "C01", "事项编码", "jb007", ("items.csv", 2, "事项编码", "reserved_code")),
    ],
)  # fmt: skip
def test_one_bad_cell(
    tmp_path: Path, file: str, code: str, column: str, value: str, expected: Cell
) -> None:
    folder = district(tmp_path)
    edit(folder, file, code, column, value)
    problems = _cells(_rejected(read_directory(folder)))
    assert problems[0] == expected
    # a renamed unit code leaves its people's references unknown; nothing else is reported
    assert all(p[3] == "unknown_unit" and p[2] == "单位编码" for p in problems[1:])


def test_parent_cycle_reports_each_unit_on_the_loop(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "units.csv", "U01", "上级单位编码", "U02")
    edit(folder, "units.csv", "U02", "上级单位编码", "U03")
    edit(folder, "units.csv", "U03", "上级单位编码", "U01")
    edit(folder, "units.csv", "U04", "上级单位编码", "U01")  # hangs off the loop, not on it
    problems = _rejected(read_directory(folder))
    assert _cells(problems) == [
        ("units.csv", row, "上级单位编码", "parent_cycle") for row in (3, 4, 5)
    ]
    assert problems[0].detail == "U01→U02→U03→U01"


def test_duplicate_telegram_ids(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "people.csv", "P0101", "Telegram用户ID", "5551")
    edit(folder, "people.csv", "P0201", "Telegram用户ID", "5551")
    problems = _rejected(read_directory(folder))
    assert _cells(problems) == [("people.csv", 9, "Telegram用户ID", "duplicate_telegram_id")]
    assert problems[0].detail == "4"
    plan_folder = district(tmp_path, "ok")
    edit(plan_folder, "people.csv", "P0101", "Telegram用户ID", "5551")
    plan = check_tables(read_directory(plan_folder))
    assert next(p for p in plan.people if p.code == "P0101").telegram_id == 5551


def test_every_problem_reported_at_once_and_each_cell_once(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "units.csv", "U05", "类别", "局")
    edit(folder, "people.csv", "P0104", "单位编码", "U99")
    edit(folder, "people.csv", "P0105", "单位编码", "U99")
    edit(folder, "items.csv", "C01", "频次", "每周")
    edit(folder, "items.csv", "I0104", "协办单位", "U98、U99、U98")
    edit(folder, "items.csv", "I0101", "适用范围", "P0199")
    problems = _rejected(read_directory(folder))
    assert _cells(problems) == [
        ("units.csv", 7, "类别", "bad_choice"),
        ("people.csv", 7, "单位编码", "unknown_unit"),
        ("people.csv", 8, "单位编码", "unknown_unit"),
        ("items.csv", 2, "频次", "bad_choice"),
        ("items.csv", 25, "适用范围", "unknown_scope"),
        ("items.csv", 27, "协办单位", "unknown_unit"),
    ]
    assert problems[-1].value == "U98、U99"
    # a unit whose own row is bad is still a known code: its people are not reported again
    assert not any(p.value == "U05" for p in problems)


@pytest.mark.parametrize(
    ("frequency", "deadline", "code"),
    [
        ("每年", "02-30", "deadline_no_such_day"),
        ("每年", "13-01", "deadline_no_such_day"),
        ("每年", "02-29", "deadline_no_such_day"),
        ("每年", "下月", "deadline_bad_format"),
        ("每年", "3-31", "deadline_bad_format"),
        ("每季度", "03-31", "deadline_month_day_only_yearly"),
        ("每月", "2026-12-31", "deadline_full_date_only_once"),
        ("一次性", "", "deadline_once_needs_date"),
        ("一次性", "12-31", "deadline_once_needs_date"),
        ("一次性", "2026-02-30", "deadline_no_such_day"),
    ],
)
def test_bad_deadlines(tmp_path: Path, frequency: str, deadline: str, code: str) -> None:
    folder = district(tmp_path)
    edit(folder, "items.csv", "C02", "频次", frequency)
    edit(folder, "items.csv", "C02", "完成时限", deadline)
    problems = _rejected(read_directory(folder))
    assert _cells(problems) == [("items.csv", 3, "完成时限", code)]
    assert problems[0].value == deadline
    assert problems[0].detail == frequency


def test_good_deadlines(tmp_path: Path) -> None:
    folder = district(tmp_path)
    edit(folder, "items.csv", "C02", "频次", "一次性")
    edit(folder, "items.csv", "C02", "完成时限", "2026-12-15")
    edit(folder, "items.csv", "C03", "完成时限", "02-28")
    plan = check_tables(read_directory(folder))
    items = {i.code: i for i in plan.items}
    assert (items["C02"].frequency, items["C02"].deadline) == (Frequency.ONCE, "2026-12-15")
    assert items["C03"].deadline == "02-28"


def test_workbook_date_cell_for_yearly_item_means_month_and_day(tmp_path: Path) -> None:
    folder = district(tmp_path)
    headers, rows = read_rows(folder, "people.csv")
    write_rows(folder, "people.csv", [*headers, "Telegram用户ID"], rows)
    edit(folder, "people.csv", "P0101", "Telegram用户ID", "123456789")
    cells = {
        ("责任清单", "C02", "完成时限"): datetime(2026, 3, 31),  # noqa: DTZ001  (Excel dates are naive)
        ("人员", "P0101", "Telegram用户ID"): 123456789.0,
    }
    from_book: ImportPlan = check_tables(read_workbook(workbook_bytes(folder, tmp_path, cells)))
    from_csv = check_tables(read_directory(folder))
    assert from_book.units == from_csv.units
    assert from_book.people == from_csv.people
    assert from_book.items == from_csv.items
    # typed as text, a full date for a yearly item is still refused
    typed = {("责任清单", "C02", "完成时限"): "2026-03-31"}
    problems = _rejected(read_workbook(workbook_bytes(folder, tmp_path, typed)))
    assert _cells(problems) == [("责任清单", 3, "完成时限", "deadline_full_date_only_once")]
    # a date cell for a monthly item is refused too
    edit(folder, "items.csv", "D01", "完成时限", "")
    monthly = {("责任清单", "D01", "完成时限"): datetime(2026, 3, 31)}  # noqa: DTZ001
    problems = _rejected(read_workbook(workbook_bytes(folder, tmp_path, monthly)))
    assert _cells(problems) == [("责任清单", 11, "完成时限", "deadline_full_date_only_once")]


def test_rendered_report(tmp_path: Path) -> None:
    folder = district(tmp_path)
    for code in ("P0104", "P0105", "P0201"):
        edit(folder, "people.csv", code, "单位编码", "U99")
    problems = _rejected(read_directory(folder))
    sheet_problem = ImportProblem(
        source="人员", code="unknown_unit", row=7, column="单位编码", value="U99"
    )
    assert render_problem(sheet_problem) == (
        "人员 第 7 行「单位编码」：未知单位编码 U99（请先在“单位”表中添加该单位，或改正编码）"
    )
    report = render_problems(problems, limit=2)
    lines = report.splitlines()
    assert lines[0] == "导入未执行：发现 3 处问题，数据库未作任何改动。请改正后重新导入。"
    assert lines[1].startswith("1. people.csv 第 7 行「单位编码」：未知单位编码 U99")
    assert lines[-1] == "……另有 1 处问题未列出"
    assert len(lines) == 4
    header = ImportProblem(source="units.csv", code="missing_column", row=1, column="单位编码")
    assert render_problem(header).startswith("units.csv 表头「单位编码」：缺少此列")
    assert "unknown" not in render_problem(ImportProblem(source="x", code="no_such", value="v"))
