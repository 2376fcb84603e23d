"""Identity: who a Telegram account is, one-time invite codes, and binding an account to a person."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.errors import (
    AccountBoundElsewhere,
    InviteExpired,
    InviteForInactive,
    InviteUnknown,
    InviteUsed,
    TooManyAttempts,
    UnknownPerson,
)
from storage.models import (
    AuditEntry,
    FailedBind,
    Invite,
    Person,
    PersonRole,
    Role,
    Unit,
)

INVITE_LIFETIME = timedelta(days=7)
ATTEMPT_WINDOW = timedelta(hours=1)
MAX_FAILED_ATTEMPTS = 5
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


def hash_code(code: str) -> str:
    """The stored form of an invite code (codes are case-insensitive)."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_code() -> str:
    """A random code usable in a deep link (`?start=`)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))


async def viewer_for(session: AsyncSession, *, telegram_id: int) -> Viewer | None:
    """The active person bound to this Telegram account, or None."""
    row = (
        await session.exec(
            select(Person, Unit)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Person.telegram_id) == telegram_id, col(Person.active).is_(True))
        )
    ).first()
    if row is None:
        return None
    person, unit = row
    return await _viewer(session, person, unit)


async def _viewer(session: AsyncSession, person: Person, unit: Unit) -> Viewer:
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
    """New codes for the named people (None: every active person); older unused codes are revoked."""
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
    if person_codes is not None:
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
        session.add(
            Invite(
                person_id=person.id,
                code_hash=hash_code(code),
                created_at=now,
                expires_at=now + INVITE_LIFETIME,
            )
        )
        issued.append(
            IssuedInvite(person.code, person.name, unit.name, code, now + INVITE_LIFETIME)
        )
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="invite",
            detail=json.dumps({"people": [i.person_code for i in issued]}, ensure_ascii=False),
        )
    )
    await session.commit()
    return issued


async def redeem_invite(
    session: AsyncSession, *, code: str, telegram_id: int, now: datetime
) -> Viewer:
    """Bind this Telegram account to the code's person; every refusal is counted and committed."""
    recent = (
        col(FailedBind.telegram_id) == telegram_id,
        col(FailedBind.at) > now - ATTEMPT_WINDOW,
    )
    failures, oldest = (
        await session.exec(select(func.count(), func.min(FailedBind.at)).where(*recent))
    ).one()
    if failures >= MAX_FAILED_ATTEMPTS:
        wait = (oldest + ATTEMPT_WINDOW - now) if oldest else ATTEMPT_WINDOW
        raise TooManyAttempts(max(1, math.ceil(wait.total_seconds() / 60)))
    invite = (
        await session.exec(select(Invite).where(col(Invite.code_hash) == hash_code(code)))
    ).first()
    row = None
    if invite is not None:
        row = (
            await session.exec(
                select(Person, Unit)
                .join(Unit, col(Unit.id) == col(Person.unit_id))
                .where(col(Person.id) == invite.person_id)
            )
        ).one()
    error = _refusal(invite, row[0] if row else None, now)
    holder = (
        await session.exec(select(Person).where(col(Person.telegram_id) == telegram_id))
    ).first()
    if (
        error is None
        and holder is not None
        and row is not None
        and holder.id != row[0].id
        and holder.active
    ):
        raise AccountBoundElsewhere(holder.name)
    if error is not None:
        session.add(FailedBind(telegram_id=telegram_id, at=now))
        await session.commit()
        raise error
    assert invite is not None
    assert row is not None
    person, unit = row
    if holder is not None and holder.id != person.id:  # an inactive old binding: release it
        holder.telegram_id = None
        await session.flush()
    previous = person.telegram_id
    person.telegram_id = telegram_id
    person.bound_at = now
    invite.used_at = now
    invite.used_by_telegram_id = telegram_id
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=person.id,
            actor_telegram_id=telegram_id,
            action="bind",
            detail=json.dumps({"person": person.code, "replaced": previous}, ensure_ascii=False),
        )
    )
    await session.commit()
    return await _viewer(session, person, unit)


def _refusal(invite: Invite | None, person: Person | None, now: datetime) -> Exception | None:
    if invite is None or person is None or invite.revoked_at is not None:
        return InviteUnknown()
    if invite.used_at is not None:
        return InviteUsed()
    if invite.expires_at <= now:
        return InviteExpired()
    if not person.active:
        return InviteForInactive()
    return None
