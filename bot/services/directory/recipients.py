"""Who receives what today: one resolver for leave (chains followed), used by every sender of messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
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


RECENT_DAYS = 60  # a leave that ended this many days ago no longer delays escalation


def stand_in(acting: Mapping[int, int | None], person_id: int) -> int | None:
    """Who acts for `person_id` today: themselves when not away; else their acting person, followed
    while that one is away too (a chain); None when nobody does (no acting person, or a cycle)."""
    seen = {person_id}
    current = person_id
    while current in acting:
        nxt = acting[current]
        if nxt is None or nxt in seen:
            return None
        seen.add(nxt)
        current = nxt
    return current


@dataclass(frozen=True)
class Reach:
    """Who receives a person's (or a 单位班子's) messages today.

    receivers: the people it goes to (empty: nobody can take it today); for_person: the absent
    person they stand in for (None: their own); paused: the owner is away, so the ladder does not
    escalate and personal prompts (季度自查, 半年报告) wait for their return.
    """

    receivers: tuple[Recipient, ...]
    for_person: int | None = None
    paused: bool = False


@dataclass
class Directory:
    """The active people, their roles and units, and who is on leave today."""

    people: dict[int, Recipient] = field(default_factory=dict)
    roles: dict[int, set[Role]] = field(default_factory=lambda: defaultdict(set))
    units: dict[int, str] = field(default_factory=dict)
    acting: dict[int, int | None] = field(default_factory=dict)  # away person → acting person
    back_on: dict[int, date] = field(default_factory=dict)  # back from a leave lately: since when
    by_role: dict[tuple[int | None, Role], list[Recipient]] | None = None  # see _index

    def on_leave(self, person_id: int) -> bool:
        return person_id in self.acting

    def _with(self, unit_id: int, role: Role) -> list[Recipient]:
        return self._index().get((unit_id, role), [])

    def _index(self) -> dict[tuple[int | None, Role], list[Recipient]]:
        """People by (unit, role), and admins under (None, ADMIN): built once, on first use (a
        run asks for every unit's 联络员; a scan of 10,000 people each time took a minute)."""
        if self.by_role is None:
            index: dict[tuple[int | None, Role], list[Recipient]] = defaultdict(list)
            for person in sorted(self.people.values(), key=lambda p: p.person_id):
                for role in self.roles[person.person_id]:
                    index[(person.unit_id, role)].append(person)
                    if role == Role.ADMIN:
                        index[(None, role)].append(person)
            self.by_role = dict(index)
        return self.by_role

    def person(self, person_id: int) -> Reach:
        """Whoever receives this person's messages today (see `stand_in`)."""
        if person_id not in self.acting:
            found = self.people.get(person_id)
            return Reach((found,) if found else ())
        receiver = stand_in(self.acting, person_id)
        found = self.people.get(receiver) if receiver is not None else None
        return Reach((found,) if found else (), person_id, paused=True)

    def holders(self, unit_id: int, holder_id: int | None) -> Reach:
        """Who is reminded of an item: its holder, or whoever stands in for them today; a 单位班子
        item goes to the unit's 第一责任人 (the 联络员 when it has none), or their stand-in."""
        if holder_id is not None:
            return self.person(holder_id)
        firsts = self.team_owners(unit_id)
        present = [p for p in firsts if p.person_id not in self.acting]
        if present or not firsts:
            return Reach(tuple(present))
        reaches = [self.person(p.person_id) for p in firsts]
        receivers = _unique(r for reach in reaches for r in reach.receivers)
        return Reach(receivers, firsts[0].person_id, paused=True)

    def settled_since(self, unit_id: int, holder_id: int | None, made: date) -> date:
        """From when an item's owner has heard of it: the day it was made, or the day its holder
        (a 单位班子 item: its 第一责任人) came back from leave, whichever is later; escalation
        counts its grace from then."""
        owners = (
            [holder_id]
            if holder_id is not None
            else [p.person_id for p in self.team_owners(unit_id)]
        )
        return max([made, *(self.back_on[o] for o in owners if o in self.back_on)])

    def team_owners(self, unit_id: int) -> list[Recipient]:
        """Who answers for a unit's 单位班子 items: its 第一责任人 (its 联络员 when it has none)."""
        return self._with(unit_id, Role.FIRST) or self._with(unit_id, Role.SECRETARY)

    def unit_secretaries(self, unit_id: int) -> list[Recipient]:
        """The unit's 联络员, present or away."""
        return self._with(unit_id, Role.SECRETARY)

    def secretaries(self, unit_id: int) -> list[Recipient]:
        """The unit's 联络员 present today, or whoever stands in for them."""
        return self._present(self._with(unit_id, Role.SECRETARY))

    def admins(self) -> list[Recipient]:
        """The admins present today, or whoever stands in for them."""
        return self._present(self._index().get((None, Role.ADMIN), []))

    def _present(self, people: list[Recipient]) -> list[Recipient]:
        present = [p for p in people if p.person_id not in self.acting]
        if present:
            return present
        return list(_unique(r for p in people for r in self.person(p.person_id).receivers))

    def name(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else ""


def _unique(people: Iterable[Recipient]) -> tuple[Recipient, ...]:
    return tuple({p.person_id: p for p in people}.values())


async def acting_today(session: AsyncSession, *, today: date) -> dict[int, int | None]:
    """The leaves covering `today`: away person → the acting person they named (None: nobody)."""
    leaves = await session.exec(
        select(Leave.person_id, Leave.acting_person_id).where(
            col(Leave.cancelled_at).is_(None),
            col(Leave.starts_on) <= today,
            col(Leave.ends_on) >= today,
        )
    )
    return dict(leaves.all())


async def standing_in_for(
    session: AsyncSession, *, person_id: int, today: date
) -> tuple[frozenset[int], frozenset[int]]:
    """The absent people whose messages reach `person_id` today (chains followed), and the units
    whose 单位班子 items come with them (an absent 第一责任人's)."""
    acting = await acting_today(session, today=today)
    absent = frozenset(p for p in acting if stand_in(acting, p) == person_id)
    if not absent:
        return absent, frozenset()
    teams = await session.exec(
        select(Person.unit_id)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(col(Person.id).in_(absent), col(PersonRole.role) == Role.FIRST)
    )
    return absent, frozenset(teams.all())


async def load_directory(session: AsyncSession, *, today: date) -> Directory:
    """Every active person with roles and unit names, and the leaves covering `today`."""
    found = Directory()
    people = await session.stream(  # plain columns, in slices: chat is answered in between
        sa_select(
            col(Person.id),
            col(Person.name),
            col(Person.unit_id),
            col(Person.telegram_id),
            col(Person.unreachable_at),
        ).where(col(Person.active).is_(True))
    )
    async for part in people.partitions(2000):
        for pid, name, unit_id, telegram_id, unreachable_at in part:
            assert pid is not None
            found.people[pid] = Recipient(
                pid, name, unit_id, telegram_id, unreachable_at is not None
            )
    for person_id, role in (
        await session.exec(select(PersonRole.person_id, PersonRole.role))
    ).all():
        if person_id in found.people:
            found.roles[person_id].add(Role(role))
    for uid, unit_name in (await session.exec(select(Unit.id, Unit.name))).all():
        assert uid is not None
        found.units[uid] = unit_name
    for person_id, acting in (await acting_today(session, today=today)).items():
        if person_id in found.people:  # an inactive acting person stands in for nobody
            found.acting[person_id] = acting if acting in found.people else None
    ended = await session.exec(
        select(Leave.person_id, func.max(col(Leave.ends_on)))
        .where(
            col(Leave.cancelled_at).is_(None),
            col(Leave.ends_on) < today,
            col(Leave.ends_on) >= today - timedelta(days=RECENT_DAYS),
        )
        .group_by(col(Leave.person_id))
    )
    for person_id, ends_on in ended.all():
        if person_id in found.people and person_id not in found.acting:
            found.back_on[person_id] = ends_on + timedelta(days=1)
    return found
