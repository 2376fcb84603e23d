"""The typed plan an import applies (one dataclass per row kind) and what applying it did."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.errors import ImportProblem
from storage.models import Category, DutyType, Frequency, ListKind, Role, ScopeKind


@dataclass(frozen=True)
class UnitRow:
    """One valid 单位 row."""

    row: int
    code: str
    name: str
    category: Category | None
    parent_code: str | None


@dataclass(frozen=True)
class PersonRow:
    """One valid 人员 row; telegram_id None means the cell was empty (keep any binding)."""

    row: int
    code: str
    name: str
    unit_code: str
    position: str
    roles: tuple[Role, ...]
    telegram_id: int | None


@dataclass(frozen=True)
class ItemRow:
    """One valid 责任清单 row; scope is a role, the unit team, or one person code."""

    row: int
    code: str
    list_kind: ListKind
    duty_type: DutyType
    scope_kind: ScopeKind
    scope_role: Role | None
    scope_person_code: str | None
    content: str
    measures: str
    timeline: str
    frequency: Frequency
    deadline: str | None
    lead: str
    owner_unit_code: str | None
    co_unit_codes: str


@dataclass(frozen=True)
class ImportPlan:
    """The whole snapshot, valid; warnings (e.g. unknown columns) do not block the import."""

    units: list[UnitRow]
    people: list[PersonRow]
    items: list[ItemRow]
    warnings: list[ImportProblem] = field(default_factory=list)


@dataclass(frozen=True)
class BindingMove:
    """A Telegram account the import took from a person it leaves inactive and gave to another."""

    telegram_id: int
    from_code: str
    to_code: str


@dataclass
class KindCounts:
    """What an import did to one kind of row."""

    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """What one import did, per kind of row, plus due items, bindings moved and warnings."""

    units: KindCounts
    people: KindCounts
    items: KindCounts
    holdings: KindCounts
    due_items_created: int
    due_dates_changed: int = 0  # open due items moved because their item's 完成时限 changed
    warnings: list[ImportProblem] = field(default_factory=list)
    bindings_moved: list[BindingMove] = field(default_factory=list)

    @property
    def changed_nothing(self) -> bool:
        """True when the import found the database already matching the files."""
        kinds = (self.units, self.people, self.items, self.holdings)
        moved = sum(k.added + k.updated + k.deactivated for k in kinds)
        return moved == 0 and self.due_items_created == 0 and self.due_dates_changed == 0
