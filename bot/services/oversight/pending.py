"""/pending: a unit's (or one holder's) outstanding items, grouped by person, with lights and scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date, period_containing
from bot.services.directory.identity import Viewer
from bot.services.ledger.counting import due_rows, tally
from bot.services.ledger.outstanding import OutstandingItem, outstanding
from bot.services.ledger.status import DUE_SOON_DAYS, mine
from storage.models import Category, Frequency, Holding, Item, Person, Role, Unit

TEAM = "单位班子"
OVERDUE, SOON, LATER = "🔴", "🟡", "⚪"


def light(item: OutstandingItem) -> str:
    """🔴 overdue, 🟡 due within the ledger's DUE_SOON_DAYS, ⚪ later."""
    if item.overdue:
        return OVERDUE
    return SOON if -item.days_overdue <= DUE_SOON_DAYS else LATER


@dataclass(frozen=True)
class UnitRef:
    """A unit as the picker and the replies name it."""

    unit_id: int
    code: str
    name: str
    category: Category | None
    active: bool = True


@dataclass(frozen=True)
class Group:
    """One holder's outstanding items (person_id None: the 单位班子), most overdue first."""

    holder: str
    person_id: int | None
    items: list[OutstandingItem]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@dataclass(frozen=True)
class Pending:
    """What is outstanding in one unit (or for one holder) as of `today`."""

    unit: UnitRef
    today: date
    groups: list[Group]
    person_id: int | None = None  # set: one holder's own list (an official's /pending)

    @property
    def total(self) -> int:
        return sum(len(group.items) for group in self.groups)

    @property
    def overdue(self) -> int:
        return sum(group.overdue for group in self.groups)


def may_see_unit(viewer: Viewer, unit_id: int) -> bool:
    """An admin sees every unit, a 联络员 their own; officials only their own items."""
    return viewer.is_admin or (Role.SECRETARY in viewer.roles and viewer.unit_id == unit_id)


async def unit_ref(
    session: AsyncSession, *, unit_id: int | None = None, code: str = ""
) -> UnitRef | None:
    """A unit by id or by code (case-insensitive), active or not; None when there is none."""
    query = select(Unit)
    if unit_id is not None:
        query = query.where(col(Unit.id) == unit_id)
    else:
        query = query.where(func.upper(col(Unit.code)) == code.strip().upper())
    unit = (await session.exec(query)).first()
    return None if unit is None else _ref(unit)


async def units_in(session: AsyncSession, *, category: Category | None) -> list[UnitRef]:
    """The active units of a category (None: units with no category) that hold any item."""
    held = select(Holding.id).where(col(Holding.unit_id) == col(Unit.id), col(Holding.active))
    where = col(Unit.category).is_(None) if category is None else col(Unit.category) == category
    units = await session.exec(
        select(Unit).where(where, col(Unit.active), held.exists()).order_by(col(Unit.code))
    )
    return [_ref(unit) for unit in units.all()]


async def unit_names(session: AsyncSession) -> list[tuple[str, str]]:
    """(code, name) of every active unit: how an admin's question names one."""
    rows = await session.exec(select(Unit.code, Unit.name).where(col(Unit.active)))
    return list(rows.all())


async def unit_of(session: AsyncSession, *, person_id: int) -> UnitRef | None:
    """The unit a person belongs to."""
    row = (
        await session.exec(
            select(Unit)
            .join(Person, col(Person.unit_id) == col(Unit.id))
            .where(col(Person.id) == person_id)
        )
    ).first()
    return None if row is None else _ref(row)


async def holds_items(session: AsyncSession, *, unit_id: int) -> bool:
    """The unit holds at least one active item (a unit with none has nothing to chase)."""
    query = select(Holding.id).where(col(Holding.unit_id) == unit_id, col(Holding.active))
    return (await session.exec(query.limit(1))).first() is not None


async def unit_pending(
    session: AsyncSession,
    *,
    unit: UnitRef,
    now: datetime,
    zone: ZoneInfo,
    where: ColumnElement[bool] | None = None,
) -> Pending:
    """The unit's outstanding items (optionally narrowed by `where`), grouped by holder."""
    narrowed = and_(col(Holding.unit_id) == unit.unit_id, true() if where is None else where)
    items = await outstanding(session, now=now, zone=zone, where=narrowed)
    return Pending(unit, local_date(now, zone), _groups(items))


async def own_pending(
    session: AsyncSession,
    *,
    viewer: Viewer,
    now: datetime,
    zone: ZoneInfo,
    where: ColumnElement[bool] | None = None,
) -> Pending:
    """A holder's own outstanding items (a 第一责任人's also the 单位班子's), as /my counts them."""
    narrowed = and_(mine(viewer), true() if where is None else where)
    items = await outstanding(session, now=now, zone=zone, where=narrowed)
    unit = UnitRef(viewer.unit_id, viewer.unit_code, viewer.unit_name, None)
    return Pending(unit, local_date(now, zone), _groups(items), viewer.person_id)


def of_items(codes: Sequence[str]) -> ColumnElement[bool]:
    """Narrow to the given item codes."""
    return col(Item.code).in_(list(codes))


def of_person(person_id: int) -> ColumnElement[bool]:
    """Narrow to one person's own holdings."""
    return col(Holding.person_id) == person_id


def _groups(items: list[OutstandingItem]) -> list[Group]:
    grouped: dict[int | None, list[OutstandingItem]] = {}
    for item in items:
        grouped.setdefault(item.holder_id, []).append(item)
    groups = [
        Group(TEAM if person is None else found[0].holder_name or "", person, found)
        for person, found in grouped.items()
    ]
    for group in groups:
        group.items.sort(key=lambda item: (-item.days_overdue, item.item_code, item.period.key))
    groups.sort(
        key=lambda g: (-g.items[0].days_overdue, g.person_id is not None, g.holder, g.person_id)
    )
    return groups


async def people_named(session: AsyncSession, *, unit_id: int | None) -> dict[str, list[int]]:
    """Active people's names → ids, within a unit (None: the whole district)."""
    query = select(Person.name, Person.id).where(col(Person.active))
    if unit_id is not None:
        query = query.where(col(Person.unit_id) == unit_id)
    names: dict[str, list[int]] = {}
    for name, person_id in (await session.exec(query)).all():
        assert person_id is not None
        names.setdefault(name, []).append(person_id)
    return names


async def held_items(session: AsyncSession, *, unit_id: int | None) -> list[tuple[str, str]]:
    """(code, content) of the active items held in a unit (None: anywhere), by code."""
    query = (
        select(Item.code, Item.content)
        .join(Holding, col(Holding.item_id) == col(Item.id))
        .where(col(Item.active), col(Holding.active))
        .distinct()
        .order_by(col(Item.code))
    )
    if unit_id is not None:
        query = query.where(col(Holding.unit_id) == unit_id)
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class Progress:
    """This quarter's due items in a scope, counted by the one rule (ledger.counting)."""

    quarter: str  # 2026-Q4
    total: int  # closed items left out
    done: int
    closed: int
    overdue: int


async def quarter_progress(
    session: AsyncSession, *, where: ColumnElement[bool], now: datetime, zone: ZoneInfo
) -> Progress:
    """The scope's due items that count in the current quarter (ledger.counting), as of today."""
    today = local_date(now, zone)
    span = period_containing(Frequency.QUARTERLY, today)
    count = tally(
        await due_rows(session, first=span.start, last=span.end, today=today, where=where)
    )
    return Progress(span.key, count.total, count.done, count.closed, count.overdue)


def _ref(unit: Unit) -> UnitRef:
    assert unit.id is not None
    return UnitRef(unit.id, unit.code, unit.name, unit.category, unit.active)
