"""Binding an account to a person: redeeming an invite code (race-free) and an admin's unbind."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, hash_code, load_viewer
from bot.services.errors import (
    AccountBoundElsewhere,
    InviteExpired,
    InviteForInactive,
    InviteUnknown,
    InviteUsed,
    TooManyAttempts,
    UnknownPerson,
)
from storage.models import AuditEntry, FailedBind, Invite, Person, PersonRole, Role, Unit

ATTEMPT_WINDOW = timedelta(hours=1)
MAX_FAILED_ATTEMPTS = 5
_LOCK_SPACE = 0x6C767A  # first key of this module's PostgreSQL advisory locks ("lvz")


@dataclass(frozen=True)
class Redemption:
    """A code sent with /start: who the account is now, and what changed."""

    viewer: Viewer
    again: bool = False  # the account that used the code sent it again: nothing changed
    replaced_telegram_id: int | None = None  # a re-bind: the account that held the person before


@dataclass(frozen=True)
class Unbinding:
    """What an admin's unbind did; telegram_id None: the person was not bound."""

    person_code: str
    person_name: str
    telegram_id: int | None
    at: datetime


@dataclass(frozen=True)
class _Found:
    invite: Invite
    person: Person
    unit: Unit


async def redeem_invite(
    session: AsyncSession, *, code: str, telegram_id: int, now: datetime
) -> Redemption:
    """Bind this account to the code's person; a wrong, used or expired code counts as a failure.

    One account's attempts run one at a time (a PostgreSQL advisory lock on the account; on
    SQLite the attempt row written first takes the single write lock), so the count of recent
    failures read under it is exact: at most five wrong codes an hour are ever checked. The
    invite is taken by one conditional UPDATE, so of two accounts sending one code, one wins.
    """
    await _serialize_account(session, telegram_id)
    attempt = FailedBind(telegram_id=telegram_id, at=now)  # kept only if the code is refused
    session.add(attempt)
    await session.flush()
    found = await _find(session, hash_code(code))
    if found is not None and _is_own_code(found, telegram_id):
        await session.delete(attempt)
        await session.commit()
        return Redemption(await load_viewer(session, found.person, found.unit), again=True)
    failures, oldest = (
        await session.exec(
            select(func.count(), func.min(FailedBind.at)).where(
                col(FailedBind.telegram_id) == telegram_id,
                col(FailedBind.at) > now - ATTEMPT_WINDOW,
                col(FailedBind.id) != attempt.id,
            )
        )
    ).one()
    if failures >= MAX_FAILED_ATTEMPTS:
        await session.delete(attempt)
        await session.commit()
        wait = (oldest + ATTEMPT_WINDOW - now) if oldest else ATTEMPT_WINDOW
        raise TooManyAttempts(max(1, math.ceil(wait.total_seconds() / 60)))
    error = _refusal(found, now)
    if error is None:
        assert found is not None
        holder = (
            await session.exec(
                select(Person)
                .where(col(Person.telegram_id) == telegram_id)
                .execution_options(populate_existing=True)
            )
        ).first()
        if holder is not None and holder.active and holder.id != found.person.id:
            await session.delete(attempt)
            await session.commit()
            raise AccountBoundElsewhere(holder.name)
        error = await _take(session, found, telegram_id, now)
    if error is not None:
        await session.commit()  # the attempt row stays: it counts against the hour
        raise error
    assert found is not None
    await session.delete(attempt)
    return await _bind(session, found, telegram_id, now)


async def unbind_person(
    session: AsyncSession, *, person_code: str, now: datetime, actor_person_id: int | None = None
) -> Unbinding:
    """Release a person's Telegram account (active or not); audited as "unbind"."""
    wanted = person_code.strip().upper()
    person = (
        await session.exec(
            select(Person)
            .where(func.upper(Person.code) == wanted)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if person is None:
        raise UnknownPerson([person_code.strip()])
    released = person.telegram_id
    if released is not None:
        person.telegram_id = None
        person.bound_at = None
        detail = {"person": person.code, "telegram_id": released}
        session.add(
            AuditEntry(
                at=now,
                actor_person_id=actor_person_id,
                action="unbind",
                detail=json.dumps(detail, ensure_ascii=False),
            )
        )
    await session.commit()
    return Unbinding(person.code, person.name, released, now)


async def _serialize_account(session: AsyncSession, telegram_id: int) -> None:
    """On PostgreSQL, wait for this account's other attempts (held until this transaction ends)."""
    if session.get_bind().dialect.name == "postgresql":
        key = telegram_id % 2_147_483_647
        await session.exec(select(func.pg_advisory_xact_lock(_LOCK_SPACE, key)))


async def _find(session: AsyncSession, code_hash: str) -> _Found | None:
    """The invite with this hash and its person, read fresh (not from the session's memory)."""
    row = (
        await session.exec(
            select(Invite, Person, Unit)
            .join(Person, col(Person.id) == col(Invite.person_id))
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Invite.code_hash) == code_hash)
            .execution_options(populate_existing=True)
        )
    ).first()
    return None if row is None else _Found(*row)


def _is_own_code(found: _Found, telegram_id: int) -> bool:
    """The account that used this code, still bound to its person, tapped the link again."""
    person = found.person
    return (
        found.invite.used_by_telegram_id == telegram_id
        and person.telegram_id == telegram_id
        and person.active
    )


def _refusal(found: _Found | None, now: datetime) -> Exception | None:
    if found is None or found.invite.revoked_at is not None:
        return InviteUnknown()
    if found.invite.used_at is not None:
        return InviteUsed()
    if found.invite.expires_at <= now:
        return InviteExpired()
    if not found.person.active:
        return InviteForInactive()
    return None


async def _take(
    session: AsyncSession, found: _Found, telegram_id: int, now: datetime
) -> Exception | None:
    """Mark the invite used in one conditional step (locking its row); the refusal if it lost."""
    taken = await session.exec(
        update(Invite)
        .where(
            col(Invite.id) == found.invite.id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(used_at=now, used_by_telegram_id=telegram_id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:
        return None
    return _refusal(await _find(session, found.invite.code_hash), now) or InviteUsed()


async def _bind(
    session: AsyncSession, found: _Found, telegram_id: int, now: datetime
) -> Redemption:
    """Give the person this account (the invite row is ours); an inactive old holder lets go."""
    await session.exec(
        update(Person)
        .where(
            col(Person.telegram_id) == telegram_id,
            col(Person.id) != found.person.id,
            col(Person.active).is_(False),
        )
        .values(telegram_id=None, bound_at=None)
        .execution_options(synchronize_session=False)
    )
    person = (
        await session.exec(
            select(Person)
            .where(col(Person.id) == found.person.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    if not person.active:  # deactivated by an import since the code was read: give it back
        await session.exec(
            update(Invite)
            .where(col(Invite.id) == found.invite.id)
            .values(used_at=None, used_by_telegram_id=None)
            .execution_options(synchronize_session=False)
        )
        session.add(FailedBind(telegram_id=telegram_id, at=now))
        await session.commit()
        raise InviteForInactive()
    previous = person.telegram_id
    person.telegram_id = telegram_id
    person.bound_at = now
    rebind = previous is not None and previous != telegram_id
    detail = {"person": person.code, "replaced": previous} if rebind else {"person": person.code}
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=person.id,
            actor_telegram_id=telegram_id,
            action="rebind" if rebind else "bind",
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )
    await session.commit()
    viewer = await load_viewer(session, person, found.unit)
    return Redemption(viewer, replaced_telegram_id=previous if rebind else None)


@dataclass(frozen=True)
class Former:
    """A deactivated person still bound to this account, and whom they can ask."""

    name: str
    unit_name: str
    secretary: str | None  # their unit's active 联络员, if any
    admin: str | None  # an active 管理员


async def former_person(session: AsyncSession, *, telegram_id: int) -> Former | None:
    """The person a later import deactivated, if this account was bound to one."""
    row = (
        await session.exec(
            select(Person, Unit)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Person.telegram_id) == telegram_id, col(Person.active).is_(False))
        )
    ).first()
    if row is None:
        return None
    person, unit = row

    async def first_with(role: Role, unit_id: int | None) -> str | None:
        query = (
            select(Person.name)
            .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
            .where(col(PersonRole.role) == role, col(Person.active).is_(True))
            .order_by(col(Person.code))
        )
        if unit_id is not None:
            query = query.where(col(Person.unit_id) == unit_id)
        return (await session.exec(query)).first()

    return Former(
        person.name,
        unit.name,
        await first_with(Role.SECRETARY, unit.id),
        await first_with(Role.ADMIN, None),
    )
