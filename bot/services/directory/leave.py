"""Leave: an admin or a unit's 联络员 marks a person away, with an acting person for their reminders."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.directory.leave_chain import refuse_cycle
from bot.services.directory.leave_dates import (
    check_leave_period,
)
from bot.services.errors import LeaveProblem, LeaveRefused
from storage.models import AuditEntry, Leave, Person, Role, Unit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaveView:
    """One registered leave, as the lists and replies show it."""

    leave_id: int
    person_code: str
    person_name: str
    unit_name: str
    starts_on: date
    ends_on: date
    acting_code: str | None
    acting_name: str | None


@dataclass(frozen=True)
class LeaveSet:
    """A leave just registered; acting_telegram_id: whom the handler tells (None: unbound/none)."""

    leave: LeaveView
    acting_telegram_id: int | None


@dataclass(frozen=True)
class LeaveCancelled:
    """The leaves just cancelled, and the acting people to tell (telegram id, leave)."""

    person_code: str
    person_name: str
    leaves: list[LeaveView]
    notes: list[tuple[int, LeaveView]]


async def set_leave(
    session: AsyncSession,
    *,
    actor: Viewer,
    person_code: str,
    starts_on: date,
    ends_on: date,
    acting_code: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> LeaveSet:
    """Register a leave (audited "leave_set"); refusals write nothing; commits."""
    scope = _scope(actor)
    person = await _person(session, actor, scope, person_code, acting=False)
    acting: Person | None = None
    if acting_code is not None:
        acting = await _person(session, actor, scope, acting_code, acting=True)
        if acting.id == person.id:
            raise LeaveRefused(LeaveProblem.SAME_PERSON, value=person.code)
    check_leave_period(starts_on, ends_on, today=local_date(now, zone))
    assert person.id is not None
    await _lock(session, person)
    clash = (
        await session.exec(
            select(Leave)
            .where(
                col(Leave.person_id) == person.id,
                col(Leave.cancelled_at).is_(None),
                col(Leave.starts_on) <= ends_on,
                col(Leave.ends_on) >= starts_on,
            )
            .order_by(col(Leave.starts_on))
        )
    ).first()
    if clash is not None:
        refusal = LeaveRefused(
            LeaveProblem.OVERLAP,
            value=f"{person.name}（{person.code}）",
            starts_on=clash.starts_on,
            ends_on=clash.ends_on,
        )
        await session.rollback()  # lets go of the lock; expires the rows read
        raise refusal
    if acting is not None:
        await refuse_cycle(session, person, acting, starts_on, ends_on)
    leave = Leave(
        person_id=person.id,
        starts_on=starts_on,
        ends_on=ends_on,
        acting_person_id=acting.id if acting else None,
        created_by=actor.person_id,
        created_at=now,
    )
    session.add(leave)
    await session.flush()
    assert leave.id is not None
    detail = {
        "leave_id": leave.id,
        "person": person.code,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "acting": acting.code if acting else None,
    }
    _audit(session, actor, "leave_set", detail, now)
    [(view, acting_telegram_id)] = await _views(session, col(Leave.id) == leave.id)
    await session.commit()
    logger.info("leave %s set for person %s by %s", leave.id, person.id, actor.person_id)
    return LeaveSet(view, acting_telegram_id)


async def cancel_leave(
    session: AsyncSession, *, actor: Viewer, person_code: str, now: datetime, zone: ZoneInfo
) -> LeaveCancelled:
    """Cancel the person's current and future leaves (kept, marked cancelled; audited); commits."""
    scope = _scope(actor)
    person = await _person(session, actor, scope, person_code, acting=False, any_state=True)
    await _lock(session, person)
    today = local_date(now, zone)
    current = await _views(
        session,
        col(Leave.person_id) == person.id,
        col(Leave.ends_on) >= today,
    )
    if not current:
        refusal = LeaveRefused(LeaveProblem.NO_LEAVE, value=f"{person.name}（{person.code}）")
        await session.rollback()  # lets go of the lock; expires the rows read
        raise refusal
    ids = [view.leave_id for view, _ in current]
    await session.exec(
        update(Leave)
        .where(col(Leave.id).in_(ids), col(Leave.cancelled_at).is_(None))
        .values(cancelled_at=now)
    )
    detail = {
        "person": person.code,
        "leave_ids": ids,
        "periods": [f"{v.starts_on.isoformat()}/{v.ends_on.isoformat()}" for v, _ in current],
    }
    _audit(session, actor, "leave_cancel", detail, now)
    await session.commit()
    logger.info("leaves %s of person %s cancelled by %s", ids, person.id, actor.person_id)
    notes = [(tg, view) for view, tg in current if tg is not None]
    return LeaveCancelled(person.code, person.name, [v for v, _ in current], notes)


async def list_leaves(session: AsyncSession, *, actor: Viewer, today: date) -> list[LeaveView]:
    """Current and future leaves the actor may see (admin: all; 联络员: their unit's), by start."""
    scope = _scope(actor)
    where = [col(Leave.ends_on) >= today]
    if scope is not None:
        where.append(col(Person.unit_id) == scope)
    return [view for view, _ in await _views(session, *where)]


def _scope(actor: Viewer) -> int | None:
    """None: every unit (an admin); else the 联络员's unit."""
    if actor.is_admin:
        return None
    if Role.SECRETARY in actor.roles:
        return actor.unit_id
    raise LeaveRefused(LeaveProblem.NOT_ALLOWED)


async def _person(
    session: AsyncSession,
    actor: Viewer,
    scope: int | None,
    code: str,
    *,
    acting: bool,
    any_state: bool = False,
) -> Person:
    """The person a code names, within the actor's scope; outside it, the same answer as unknown."""
    typed = code.strip()
    wanted = select(Person).where(func.upper(col(Person.code)) == typed.upper())
    person = (await session.exec(wanted)).first()
    if scope is not None and (person is None or person.unit_id != scope):
        problem = LeaveProblem.ACTING_NOT_IN_UNIT if acting else LeaveProblem.NOT_IN_UNIT
        raise LeaveRefused(problem, value=typed, unit=actor.unit_name)
    if person is None:
        problem = LeaveProblem.UNKNOWN_ACTING if acting else LeaveProblem.UNKNOWN_PERSON
        raise LeaveRefused(problem, value=typed)
    if not person.active and not any_state:
        problem = LeaveProblem.ACTING_INACTIVE if acting else LeaveProblem.INACTIVE
        raise LeaveRefused(problem, value=f"{person.name}（{person.code}）")
    return person


async def _lock(session: AsyncSession, person: Person) -> None:
    """Take the person's row for this transaction (a no-op write: a row lock on PostgreSQL, the
    write lock on SQLite), so two admins' overlapping leaves or cancels run one after the other."""
    await session.exec(
        update(Person).where(col(Person.id) == person.id).values(updated_at=col(Person.updated_at))
    )


async def _views(
    session: AsyncSession, *where: ColumnElement[bool]
) -> list[tuple[LeaveView, int | None]]:
    """Uncancelled leaves matching `where`, each with its acting person's Telegram id."""
    acting = aliased(Person)
    rows = await session.exec(
        select(Leave, Person, Unit, acting)
        .join(Person, col(Person.id) == col(Leave.person_id))
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .outerjoin(acting, col(acting.id) == col(Leave.acting_person_id))
        .where(col(Leave.cancelled_at).is_(None), *where)
        .order_by(col(Leave.starts_on), col(Person.code), col(Leave.id))
    )
    found: list[tuple[LeaveView, int | None]] = []
    for leave, person, unit, stand_in in rows.all():
        assert leave.id is not None
        view = LeaveView(
            leave.id,
            person.code,
            person.name,
            unit.name,
            leave.starts_on,
            leave.ends_on,
            stand_in.code if stand_in else None,
            stand_in.name if stand_in else None,
        )
        found.append((view, stand_in.telegram_id if stand_in else None))
    return found


def _audit(
    session: AsyncSession, actor: Viewer, action: str, detail: Mapping[str, object], now: datetime
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor.person_id,
            action=action,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )
