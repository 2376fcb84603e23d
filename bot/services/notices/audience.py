"""Who a notice goes to: the audience as a short stored string, and the active people it names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Category, Person, PersonRole, Role, Unit

ALL = "all"
CATEGORY = "cat"
UNIT = "unit"
ROLE = "role"
PERSON = "person"  # a 约谈提醒: one person
KINDS = (CATEGORY, UNIT, ROLE)
LIMIT = 200  # Notice.audience
CATEGORIES = tuple(Category)
ROLES = tuple(Role)


@dataclass(frozen=True)
class Audience:
    """`kind` and its chosen values (category or role words, unit or person ids as text)."""

    kind: str
    values: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.kind != ALL and not self.values

    def encode(self) -> str:
        """The stored form: "all", "cat:镇街类,政府行政部门类", "unit:3,5", "role:联络员"."""
        return ALL if self.kind == ALL else f"{self.kind}:{','.join(self.values)}"

    def toggled(self, value: str) -> Audience:
        """The same choice with `value` added or removed (kept in a stable order)."""
        chosen = set(self.values) ^ {value}
        order = _order(self.kind)
        return Audience(self.kind, tuple(sorted(chosen, key=order)))

    def fits(self) -> bool:
        return len(self.encode()) <= LIMIT


def _order(kind: str) -> Callable[[str], int]:
    if kind in (CATEGORY, ROLE):
        names = [c.value for c in (CATEGORIES if kind == CATEGORY else ROLES)]
        return lambda v: names.index(v) if v in names else len(names)
    return lambda v: int(v) if v.isdigit() else 0


def parse(text: str) -> Audience | None:
    """The audience a stored string names; None for "" (not chosen yet) or anything unknown."""
    if text == ALL:
        return Audience(ALL)
    kind, sep, rest = text.partition(":")
    if not sep or kind not in (*KINDS, PERSON):
        return None
    return Audience(kind, tuple(v for v in rest.split(",") if v))


@dataclass(frozen=True)
class Member:
    """An active person the audience names."""

    person_id: int
    code: str
    name: str
    unit_id: int
    unit_name: str
    telegram_id: int | None


@dataclass(frozen=True)
class Reach:
    """Everyone the audience names: `bound` get the notice, `unbound` (no Telegram) are counted."""

    bound: list[Member]
    unbound: list[Member]

    @property
    def total(self) -> int:
        return len(self.bound) + len(self.unbound)


async def members(
    session: AsyncSession, *, audience: Audience, exclude_person_id: int | None = None
) -> Reach:
    """The active people in the audience (the author left out), by unit and code."""
    statement = (
        select(Person, Unit.name)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(col(Person.active).is_(True))
        .order_by(col(Unit.code), col(Person.code))
    )
    if audience.kind == CATEGORY:
        chosen = [c for c in CATEGORIES if c.value in audience.values]
        statement = statement.where(col(Unit.category).in_(chosen))
    elif audience.kind in (UNIT, PERSON):
        ids = [int(v) for v in audience.values if v.isdigit()]
        column = Unit.id if audience.kind == UNIT else Person.id
        statement = statement.where(col(column).in_(ids))
    elif audience.kind == ROLE:
        roles = [r for r in ROLES if r.value in audience.values]
        holders = select(PersonRole.person_id).where(col(PersonRole.role).in_(roles))
        statement = statement.where(col(Person.id).in_(holders))
    bound: list[Member] = []
    unbound: list[Member] = []
    for person, unit_name in (await session.exec(statement)).all():
        assert person.id is not None
        if person.id == exclude_person_id:
            continue
        member = Member(
            person.id, person.code, person.name, person.unit_id, unit_name, person.telegram_id
        )
        (bound if person.telegram_id is not None else unbound).append(member)
    return Reach(bound, unbound)


async def unit_names(session: AsyncSession) -> list[tuple[int, str]]:
    """Active units (id, name) in code order: the 按单位 choice."""
    rows = await session.exec(
        select(Unit.id, Unit.name).where(col(Unit.active).is_(True)).order_by(col(Unit.code))
    )
    return [(unit_id, name) for unit_id, name in rows.all() if unit_id is not None]
