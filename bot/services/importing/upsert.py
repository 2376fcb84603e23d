"""Rows of one kind by code: add, update only on change, deactivate the missing, counting each."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.plan import KindCounts
from storage.models import Item, Person, Unit

_M = TypeVar("_M", Unit, Person, Item)


def _assign(row: SQLModel, values: dict[str, Any]) -> bool:
    """Set the fields that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


class Upsert:
    """Counts and timestamps for one kind of row: add, update only on change, deactivate."""

    def __init__(self, existing: dict[str, _M], now: datetime) -> None:
        self.existing: dict[str, Any] = dict(existing)
        self.now = now
        self.counts = KindCounts()
        self.touched: set[str] = set()
        self.new: list[SQLModel] = []

    def put(
        self, model: type[_M], code: str, values: dict[str, Any], *, force: bool = False
    ) -> Any:
        """Add the row, or update it when a value (or, with `force`, something else) changed."""
        row = self.existing.get(code)
        if row is None:
            row = model(code=code, **values, created_at=self.now, updated_at=self.now)
            self.existing[code] = row
            self.new.append(row)
            self.counts.added += 1
        elif _assign(row, {**values, "active": True}) or force:
            row.updated_at = self.now
            self.counts.updated += 1
            self.touched.add(code)
        else:
            self.counts.unchanged += 1
        return row

    def change(self, code: str, values: dict[str, Any]) -> None:
        """A later pass (parent_id, once ids exist) changing an already put row."""
        row = self.existing[code]
        if _assign(row, values) and row not in self.new and code not in self.touched:
            row.updated_at = self.now
            self.counts.updated += 1
            self.counts.unchanged -= 1
            self.touched.add(code)

    def deactivate_missing(self, keep: set[str]) -> None:
        for code, row in self.existing.items():
            if code not in keep and row.active:
                row.active = False
                row.updated_at = self.now
                self.counts.deactivated += 1


async def by_code(session: AsyncSession, model: type[_M]) -> dict[str, _M]:
    return {row.code: row for row in (await session.exec(select(model))).all()}
