"""The web view's sign-in: one-time links (/web), the sessions they open, and who a session is.

A link is valid LINK_LIFETIME and once: redeeming it is one conditional UPDATE (unused and not
expired) as its first statement, so two browsers opening it at once get one session between
them. A session is a random token kept only as its SHA-256, valid SESSION_LIFETIME; every
request reads the person afresh (deactivated, unbound or re-bound meanwhile: signed out).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, load_viewer
from bot.services.errors import DomainError
from storage.models import AuditEntry, Person, Unit, WebLogin, WebSession

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
_TOKEN_BYTES = 32


class LinkProblem(StrEnum):
    """Why a sign-in link opened nothing."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    INACTIVE = "inactive"


class LinkRefused(DomainError):
    """A sign-in link that is unknown, expired, used already, or whose person left."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Opened:
    """A redeemed link: the session's cookie token (shown once) and when it expires."""

    token: str
    expires_at: datetime
    person_id: int


def token_hash(token: str) -> str:
    """The stored form of a link or session token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_link(session: AsyncSession, *, person_id: int, now: datetime) -> str:
    """A new one-time link token for the person (their older unused links stay valid until
    they expire: each is single-use and short-lived)."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        WebLogin(
            person_id=person_id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    await session.commit()
    return token


async def redeem_link(session: AsyncSession, *, token: str, now: datetime) -> Opened:
    """Open a session with a link: used at most once (a conditional UPDATE claims it), within
    LINK_LIFETIME, by an active person; otherwise LinkRefused saying why."""
    hashed = token_hash(token.strip())
    claimed = await session.exec(
        update(WebLogin)
        .where(
            col(WebLogin.token_hash) == hashed,
            col(WebLogin.used_at).is_(None),
            col(WebLogin.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(WebLogin.id), col(WebLogin.person_id))
    )
    row = claimed.first()
    if row is None:
        await session.rollback()
        raise LinkRefused(await _why(session, hashed))
    login_id, person_id = row
    person = await session.get(Person, person_id)
    if person is None or not person.active or person.telegram_id is None:
        await session.rollback()
        raise LinkRefused(LinkProblem.INACTIVE)
    opened = Opened(secrets.token_urlsafe(_TOKEN_BYTES), now + SESSION_LIFETIME, person_id)
    session.add(
        WebSession(
            person_id=person_id,
            login_id=login_id,
            telegram_id=person.telegram_id,
            token_hash=token_hash(opened.token),
            created_at=now,
            expires_at=opened.expires_at,
        )
    )
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=person_id,
            action="web.login",
            detail=json.dumps({"login": login_id}),
        )
    )
    await session.commit()
    return opened


async def _why(session: AsyncSession, hashed: str) -> LinkProblem:
    login = (await session.exec(select(WebLogin).where(col(WebLogin.token_hash) == hashed))).first()
    if login is None:
        return LinkProblem.UNKNOWN
    return LinkProblem.USED if login.used_at is not None else LinkProblem.EXPIRED


async def session_viewer(session: AsyncSession, *, token: str, now: datetime) -> Viewer | None:
    """The active person a session token stands for, still bound to the account that signed in
    (None: unknown, expired, deactivated, or unbound or re-bound since)."""
    row = (
        await session.exec(
            select(Person, Unit)
            .join(WebSession, col(WebSession.person_id) == col(Person.id))
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(
                col(WebSession.token_hash) == token_hash(token),
                col(WebSession.expires_at) > now,
                col(Person.active).is_(True),
                # still bound to the account that signed in: unbinding or re-binding (a lost
                # or stolen phone) ends the person's browser sessions too
                col(Person.telegram_id) == col(WebSession.telegram_id),
            )
        )
    ).first()
    if row is None:
        return None
    person, unit = row
    return await load_viewer(session, person, unit)


async def end_session(session: AsyncSession, *, token: str, now: datetime) -> None:
    """Sign out: the session expires now."""
    await session.exec(
        update(WebSession)
        .where(col(WebSession.token_hash) == token_hash(token))
        .values(expires_at=now)
    )
    await session.commit()


async def person_by_code(session: AsyncSession, *, code: str) -> Viewer | None:
    """The person a page is about (active or not: their records are history), with roles."""
    row = (
        await session.exec(
            select(Person, Unit)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(func.upper(col(Person.code)) == code.strip().upper())
        )
    ).first()
    if row is None:
        return None
    return await load_viewer(session, *row)


async def unit_people(session: AsyncSession, *, unit_id: int) -> list[tuple[str, str, str]]:
    """(code, name, position) of the unit's active people, by code: the unit page's links."""
    rows = await session.exec(
        select(Person.code, Person.name, Person.position)
        .where(col(Person.unit_id) == unit_id, col(Person.active).is_(True))
        .order_by(col(Person.code))
    )
    return list(rows.all())
