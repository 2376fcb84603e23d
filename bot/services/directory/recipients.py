"""Who receives what: holders (or whoever acts for them on leave), 联络员 and admins, loaded once per run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Leave, Person, PersonRole, Role, Unit


@dataclass(frozen=True)
class Recipient:
    """An active person a message may go to."""

    person_id: int
    name: str
    unit_id: int
    telegram_id: int | None
    unreachable: bool


@dataclass
class Directory:
    """The active people, their roles and units, and who is on leave today."""

    people: dict[int, Recipient] = field(default_factory=dict)
    roles: dict[int, set[Role]] = field(default_factory=lambda: defaultdict(set))
    units: dict[int, str] = field(default_factory=dict)
    acting: dict[int, int | None] = field(default_factory=dict)  # away person → acting person

    def on_leave(self, person_id: int) -> bool:
        return person_id in self.acting

    def _with(self, unit_id: int, role: Role) -> list[Recipient]:
        return [
            person
            for person in self.people.values()
            if person.unit_id == unit_id and role in self.roles[person.person_id]
        ]

    def holders(self, unit_id: int, holder_id: int | None) -> tuple[list[Recipient], int | None]:
        """Who is reminded of an item: its holder, or whoever acts for them while they are away
        (second value: the absent holder); a 单位班子 item goes to the unit's 第一责任人."""
        if holder_id is None:
            return self._with(unit_id, Role.FIRST) or self._with(unit_id, Role.SECRETARY), None
        if holder_id in self.acting:
            acting = self.acting[holder_id]
            if acting is None or acting not in self.people:
                return [], holder_id
            return [self.people[acting]], holder_id
        holder = self.people.get(holder_id)
        return ([holder] if holder else []), None

    def secretaries(self, unit_id: int) -> list[Recipient]:
        return self._with(unit_id, Role.SECRETARY)

    def admins(self) -> list[Recipient]:
        return sorted(
            (p for p in self.people.values() if Role.ADMIN in self.roles[p.person_id]),
            key=lambda p: p.person_id,
        )

    def name(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else ""


async def load_directory(session: AsyncSession, *, today: date) -> Directory:
    """Every active person with roles and unit names, and the leaves covering `today`."""
    found = Directory()
    people = (await session.exec(select(Person).where(col(Person.active).is_(True)))).all()
    for person in people:
        assert person.id is not None
        found.people[person.id] = Recipient(
            person.id,
            person.name,
            person.unit_id,
            person.telegram_id,
            person.unreachable_at is not None,
        )
    for person_id, role in (
        await session.exec(select(PersonRole.person_id, PersonRole.role))
    ).all():
        if person_id in found.people:
            found.roles[person_id].add(Role(role))
    for unit_id, name in (await session.exec(select(Unit.id, Unit.name))).all():
        assert unit_id is not None
        found.units[unit_id] = name
    leaves = await session.exec(
        select(Leave.person_id, Leave.acting_person_id).where(
            col(Leave.cancelled_at).is_(None),
            col(Leave.starts_on) <= today,
            col(Leave.ends_on) >= today,
        )
    )
    for person_id, acting in leaves.all():
        found.acting[person_id] = acting
    return found
