"""Cell checks of one raw table (text, code, choice), each problem reported at its row and column."""

from __future__ import annotations

import re
from typing import TypeVar

from bot.services.errors import ImportProblem
from bot.services.importing.read import RawRow, RawTable
from storage.models import Category, DutyType, Frequency, ListKind

SEPARATORS = re.compile(r"[、，,/\s]+")
_E = TypeVar("_E", Category, ListKind, DutyType, Frequency)


class Checker:
    """Problems of one table; `cell` reports one problem at a row and column."""

    def __init__(self, table: RawTable, problems: list[ImportProblem]) -> None:
        self.table = table
        self.problems = problems

    def cell(self, row: RawRow, column: str, code: str, value: str = "", detail: str = "") -> None:
        self.problems.append(
            ImportProblem(
                source=self.table.source,
                code=code,
                row=row.number,
                column=column,
                value=value,
                detail=detail,
            )
        )

    def text(self, row: RawRow, column: str, limit: int, *, required: bool = True) -> str:
        """The cell; a problem is reported when empty (if required) or too long."""
        value = row.get(column)
        if required and not value:
            self.cell(row, column, "empty")
        elif len(value) > limit:
            self.cell(row, column, "too_long", value[:20], str(limit))
        return value

    def name(self, row: RawRow, column: str, limit: int) -> str:
        """A name (of a unit or a person): required, and one line without control characters,
        since it is shown in every list and written into every file."""
        value = self.text(row, column, limit)
        if column in row.control_columns:
            self.cell(row, column, "name_has_controls", " ".join(value.split())[:20])
        return value

    def code(self, row: RawRow, column: str, first_seen: dict[str, int]) -> str:
        value = self.text(row, column, 32)
        if value and SEPARATORS.search(value):
            self.cell(row, column, "code_has_space", value)
        elif value in first_seen:
            self.cell(row, column, "duplicate_code", value, str(first_seen[value]))
        elif value:
            first_seen[value] = row.number
        return value

    def enum(self, row: RawRow, column: str, kind: type[_E], *, required: bool = True) -> _E | None:
        value = row.get(column)
        if not value and not required:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = "、".join(member.value for member in kind)
            self.cell(row, column, "empty" if not value else "bad_choice", value, allowed)
            return None
