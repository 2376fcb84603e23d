"""Validate raw import tables into a typed plan, collecting every problem before any write."""

from __future__ import annotations

import re

from bot.services.calendar.periods import check_deadline
from bot.services.errors import ImportProblem, ImportRejected
from bot.services.importing.cells import SEPARATORS, Checker
from bot.services.importing.plan import ImportPlan, ItemRow, KindCounts, PersonRow, UnitRow
from bot.services.importing.read import (
    ITEM_COLUMNS,
    PERSON_COLUMNS,
    PERSON_OPTIONAL,
    UNIT_COLUMNS,
    RawRow,
    RawTable,
    RawTables,
)
from bot.services.ledger.builtin import is_reserved
from storage.models import Category, DutyType, Frequency, ListKind, Role, ScopeKind

__all__ = ["ImportPlan", "ItemRow", "KindCounts", "PersonRow", "UnitRow", "check_tables"]

_FULL_DATE = re.compile(r"^\d{4}-(\d{2}-\d{2})$")
MAX_TELEGRAM_ID = 2**63 - 1
SCOPE_ROLES = {Role.FIRST, Role.MEMBER, Role.DISCIPLINE}
UNIT_TEAM = "单位班子"


def _unknown_columns(table: RawTable, known: tuple[str, ...]) -> list[ImportProblem]:
    return [
        ImportProblem(source=table.source, code="unknown_column", row=1, value=header)
        for header in table.headers
        if header and header not in known
    ]


def _codes(table: RawTable, column: str) -> set[str]:
    """Every code written in a table, valid row or not: references to them are not 'unknown'."""
    return {row.get(column) for row in table.rows if row.get(column)}


def check_tables(tables: RawTables) -> ImportPlan:
    """Validate all three tables; raise ImportRejected with every problem found."""
    problems: list[ImportProblem] = []
    unit_codes = _codes(tables.units, "单位编码")
    person_codes = _codes(tables.people, "人员编码")
    units = _check_units(Checker(tables.units, problems))
    people = _check_people(Checker(tables.people, problems), unit_codes)
    roles = {p.code: p.roles for p in people}
    items = _check_items(Checker(tables.items, problems), unit_codes, person_codes, roles)
    if problems:
        raise ImportRejected(problems)
    warnings = [
        *_unknown_columns(tables.units, UNIT_COLUMNS),
        *_unknown_columns(tables.people, PERSON_COLUMNS + PERSON_OPTIONAL),
        *_unknown_columns(tables.items, ITEM_COLUMNS),
    ]
    return ImportPlan(units=units, people=people, items=items, warnings=warnings)


def _check_units(check: Checker) -> list[UnitRow]:
    seen: dict[str, int] = {}
    parents: dict[str, tuple[RawRow, str]] = {}
    rows: list[UnitRow] = []
    known = _codes(check.table, "单位编码")
    for row in check.table.rows:
        before = len(check.problems)
        code = check.code(row, "单位编码", seen)
        name = check.name(row, "单位名称", 100)
        category = check.enum(row, "类别", Category, required=False)
        parent = row.get("上级单位编码") or None
        if parent is not None and parent not in known:
            check.cell(row, "上级单位编码", "unknown_unit", parent)
        elif parent is not None and parent == code:
            check.cell(row, "上级单位编码", "parent_self", parent)
        elif parent is not None:
            parents[code] = (row, parent)
        if len(check.problems) > before:
            continue
        rows.append(UnitRow(row.number, code, name, category, parent))
    for code, (row, parent) in parents.items():
        walked = [code]
        while parent in parents and parent not in walked:
            walked.append(parent)
            parent = parents[parent][1]
        if parent == code:  # this unit is on a loop of 上级单位编码
            loop = "→".join([*walked, code])
            check.cell(row, "上级单位编码", "parent_cycle", row.get("上级单位编码"), loop)
    return rows


def _check_people(check: Checker, unit_codes: set[str]) -> list[PersonRow]:
    seen: dict[str, int] = {}
    telegram_seen: dict[int, int] = {}
    rows: list[PersonRow] = []
    for row in check.table.rows:
        before = len(check.problems)
        code = check.code(row, "人员编码", seen)
        name = check.name(row, "姓名", 50)
        unit = check.text(row, "单位编码", 32)
        if unit and unit not in unit_codes:
            check.cell(row, "单位编码", "unknown_unit", unit)
        position = check.text(row, "职务", 200, required=False)
        roles = _roles(check, row)
        telegram_id = _telegram_id(check, row, telegram_seen)
        if len(check.problems) > before:
            continue
        rows.append(PersonRow(row.number, code, name, unit, position, roles, telegram_id))
    return rows


def _roles(check: Checker, row: RawRow) -> tuple[Role, ...]:
    roles: list[Role] = []
    for part in SEPARATORS.split(row.get("责任角色")):
        if not part:
            continue
        try:
            role = Role(part)
        except ValueError:
            allowed = "、".join(member.value for member in Role)
            check.cell(row, "责任角色", "unknown_role", part, allowed)
            continue
        if role not in roles:
            roles.append(role)
    if not roles and not row.get("责任角色"):
        check.cell(row, "责任角色", "empty")
    return tuple(roles)


def _telegram_id(check: Checker, row: RawRow, seen: dict[int, int]) -> int | None:
    value = row.get("Telegram用户ID")
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_TELEGRAM_ID:
        check.cell(row, "Telegram用户ID", "bad_telegram_id", value)
        return None
    number = int(value)
    if number in seen:
        check.cell(row, "Telegram用户ID", "duplicate_telegram_id", value, str(seen[number]))
        return None
    seen[number] = row.number
    return number


def _check_items(
    check: Checker,
    unit_codes: set[str],
    person_codes: set[str],
    roles: dict[str, tuple[Role, ...]],
) -> list[ItemRow]:
    seen: dict[str, int] = {}
    rows: list[ItemRow] = []
    for row in check.table.rows:
        before = len(check.problems)
        code = check.code(row, "事项编码", seen)
        if is_reserved(code):
            check.cell(row, "事项编码", "reserved_code", code)
        list_kind = check.enum(row, "清单", ListKind)
        duty_type = check.enum(row, "责任类型", DutyType)
        scope = _scope(check, row, person_codes, roles)
        content = check.text(row, "责任内容", 10_000)
        measures = check.text(row, "工作措施", 10_000, required=False)
        timeline = check.text(row, "序时进度", 200, required=False)
        frequency = check.enum(row, "频次", Frequency)
        deadline = _deadline(check, row, frequency)
        lead = check.text(row, "牵头领导", 100, required=False)
        owner = row.get("主责单位") or None
        if owner is not None and owner not in unit_codes:
            check.cell(row, "主责单位", "unknown_unit", owner)
        co_units = _co_units(check, row, unit_codes)
        if len(check.problems) > before or scope is None:
            continue
        if list_kind is None or duty_type is None or frequency is None:
            continue
        rows.append(
            ItemRow(
                row=row.number,
                code=code,
                list_kind=list_kind,
                duty_type=duty_type,
                scope_kind=scope[0],
                scope_role=scope[1],
                scope_person_code=scope[2],
                content=content,
                measures=measures,
                timeline=timeline,
                frequency=frequency,
                deadline=deadline,
                lead=lead,
                owner_unit_code=owner,
                co_unit_codes=co_units,
            )
        )
    return rows


def _scope(
    check: Checker, row: RawRow, person_codes: set[str], roles: dict[str, tuple[Role, ...]]
) -> tuple[ScopeKind, Role | None, str | None] | None:
    """Who holds the item; a person must hold an official role, or nobody would ever see it."""
    value = row.get("适用范围")
    if not value:
        check.cell(row, "适用范围", "empty")
        return None
    if value == UNIT_TEAM:
        return ScopeKind.UNIT_TEAM, None, None
    if value in {role.value for role in SCOPE_ROLES}:
        return ScopeKind.ROLE, Role(value), None
    if value in {Role.SECRETARY.value, Role.ADMIN.value}:
        check.cell(row, "适用范围", "scope_role_holds_nothing", value)
        return None
    held = roles.get(value)  # None: the person's row has its own problem, reported already
    if held is not None and not SCOPE_ROLES.intersection(held):
        named = "、".join(role.value for role in held)
        check.cell(row, "适用范围", "scope_person_holds_nothing", value, named)
        return None
    if value in person_codes:
        return ScopeKind.PERSON, None, value
    check.cell(row, "适用范围", "unknown_scope", value)
    return None


def _deadline(check: Checker, row: RawRow, frequency: Frequency | None) -> str | None:
    value = row.get("完成时限")
    if frequency is None:
        return value or None
    full = _FULL_DATE.match(value)
    if full and frequency is Frequency.YEARLY and "完成时限" in row.date_columns:
        value = full[1]  # Excel made 03-31 a date of some year: the month and day are meant
    problem = check_deadline(frequency, value)
    if problem is not None:
        check.cell(row, "完成时限", f"deadline_{problem.value}", value, frequency.value)
        return None
    return value or None


def _co_units(check: Checker, row: RawRow, unit_codes: set[str]) -> str:
    codes: list[str] = []
    for part in SEPARATORS.split(row.get("协办单位")):
        if part and part not in codes:
            codes.append(part)
    unknown = [code for code in codes if code not in unit_codes]
    if unknown:
        check.cell(row, "协办单位", "unknown_unit", "、".join(unknown))
    joined = "、".join(codes)
    if len(joined) > 500:
        check.cell(row, "协办单位", "too_long", joined[:20], "500")
    return joined
