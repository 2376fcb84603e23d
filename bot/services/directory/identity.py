"""Identity: who a Telegram account is, and issuing one-time invite codes (bind: services.binding)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.services.errors import UnknownPerson
from storage.models import (
    AuditEntry,
    Invite,
    Person,
    PersonRole,
    Role,
    Unit,
)

INVITE_LIFETIME = timedelta(days=7)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
_CODE_LENGTH = 12


@dataclass(frozen=True)
class Viewer:
    """The bound person behind an update, with their roles (a plain value: no lazy loading)."""

    person_id: int
    code: str
    name: str
    position: str
    unit_id: int
    unit_code: str
    unit_name: str
    roles: frozenset[Role]
    # absent colleagues this person stands in for today, and the units of their 单位班子 items:
    # their items can be recorded by this person (bot.services.records.choices)
    stands_in_for: frozenset[int] = frozenset()
    stands_in_teams: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


@dataclass(frozen=True)
class IssuedInvite:
    """A code as printed once to the admin; only its hash is stored."""

    person_code: str
    person_name: str
    unit_name: str
    code: str
    expires_at: datetime
    rebind: bool = False  # the person is bound: redeeming moves the binding to the new account


@dataclass(frozen=True)
class InviteBatch:
    """What `/invite all` issued, and how many bound people it left out."""

    issued: list[IssuedInvite]
    skipped_bound: int


def hash_code(code: str) -> str:
    """The stored form of an invite code (codes are case-insensitive)."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_code() -> str:
    """A random code usable in a deep link (`?start=`)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))


def viewer_query(telegram_id: int, *also: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
    """The active person bound to this account with their unit, one row per role (none: one
    row with role None), and the columns `also` after those three: the statement behind a
    Viewer."""
    return (
        select(Person, Unit, PersonRole.role, *also)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .outerjoin(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(col(Person.telegram_id) == telegram_id, col(Person.active).is_(True))
    )


def viewer_from(rows: Sequence[Row[Any]] | Sequence[tuple[Any, ...]]) -> Viewer | None:
    """The Viewer of `viewer_query`'s rows (None: no such person).

    Someone Telegram had reported unreachable (403: blocked the bot) just wrote to it, so they
    are reachable again: the mark is cleared on the loaded row, committed with the update.
    """
    if not rows:
        return None
    person, unit = rows[0][0], rows[0][1]
    assert isinstance(person, Person) and isinstance(unit, Unit)
    assert person.id is not None and unit.id is not None
    if person.unreachable_at is not None:
        person.unreachable_at = None
    return Viewer(
        person_id=person.id,
        code=person.code,
        name=person.name,
        position=person.position,
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        roles=frozenset(Role(row[2]) for row in rows if row[2] is not None),
    )


async def viewer_for(session: AsyncSession, *, telegram_id: int) -> Viewer | None:
    """The active person bound to this Telegram account, or None (one query; see viewer_from)."""
    return viewer_from((await session.exec(viewer_query(telegram_id))).all())


async def load_viewer(session: AsyncSession, person: Person, unit: Unit) -> Viewer:
    """The Viewer of a person already read with their unit (their roles are read here)."""
    assert person.id is not None
    assert unit.id is not None
    roles = (
        await session.exec(select(PersonRole.role).where(col(PersonRole.person_id) == person.id))
    ).all()
    return Viewer(
        person_id=person.id,
        code=person.code,
        name=person.name,
        position=person.position,
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        roles=frozenset(Role(role) for role in roles),
    )


async def issue_invites(
    session: AsyncSession,
    *,
    person_codes: list[str] | None,
    now: datetime,
    actor_person_id: int | None = None,
) -> list[IssuedInvite]:
    """New codes for the named people (None: every active unbound person); older unused ones revoked.

    A named person who is bound gets a re-bind code (`rebind`): redeeming it moves the binding.
    """
    return (await _issue(session, person_codes, now, actor_person_id)).issued


async def invite_unbound(
    session: AsyncSession, *, now: datetime, actor_person_id: int | None = None
) -> InviteBatch:
    """`/invite all`: codes for every active person not yet bound; bound ones are only counted."""
    return await _issue(session, None, now, actor_person_id)


async def _issue(
    session: AsyncSession, person_codes: list[str] | None, now: datetime, actor: int | None
) -> InviteBatch:
    query = (
        select(Person, Unit)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(col(Person.active).is_(True))
        .order_by(col(Person.code))
    )
    if person_codes is not None:
        wanted = list(dict.fromkeys(code.strip().upper() for code in person_codes))
        query = query.where(func.upper(Person.code).in_(wanted))
    rows = (await session.exec(query)).all()
    skipped = 0
    if person_codes is None:
        skipped = sum(1 for person, _ in rows if person.telegram_id is not None)
        rows = [(person, unit) for person, unit in rows if person.telegram_id is None]
    else:
        found = {person.code.upper() for person, _ in rows}
        missing = [code for code in wanted if code not in found]
        if missing:
            raise UnknownPerson(missing)
    ids = [person.id for person, _ in rows]
    await session.exec(
        update(Invite)
        .where(
            col(Invite.person_id).in_(ids),
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    issued = []
    for person, unit in rows:
        assert person.id is not None
        code = new_code()
        expires = now + INVITE_LIFETIME
        session.add(
            Invite(
                person_id=person.id, code_hash=hash_code(code), created_at=now, expires_at=expires
            )
        )
        rebind = person.telegram_id is not None
        issued.append(IssuedInvite(person.code, person.name, unit.name, code, expires, rebind))
    detail = {
        "people": [i.person_code for i in issued],
        "rebind": [i.person_code for i in issued if i.rebind],
        "skipped_bound": skipped,
    }
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor,
            action="invite",
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )
    await session.commit()
    return InviteBatch(issued, skipped)
