"""Admins close an outstanding due item (with a reason, audited), and see what a holder owes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import Period, effective_due, local_date, period_of_key
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from bot.services.errors import CloseProblem, CloseRefused
from bot.services.ledger.outstanding import OutstandingItem, is_outstanding, outstanding, recorded
from storage.models import AuditEntry, DueItem, Holding, Item, Person, PersonRole, Role, Unit

__all__ = ["CloseProblem", "Closed", "close_due_item", "holder_outstanding"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Closed:
    """A due item an admin just closed."""

    holder: str
    item_code: str
    content: str
    period: Period
    due: date  # the effective due date (顺延 applied)
    nominal: date
    days_overdue: int
    reason: str
    closed_at: datetime


@dataclass(frozen=True)
class _Holder:
    """Whose due items a code names: a person (and their unit team's, if theirs), or a unit team."""

    label: str
    where: ColumnElement[bool]


async def _holder(session: AsyncSession, code: str) -> _Holder:
    wanted = code.strip().upper()
    person = (
        await session.exec(select(Person).where(func.upper(col(Person.code)) == wanted))
    ).first()
    if person is not None:
        roles = set(
            (
                await session.exec(
                    select(col(PersonRole.role)).where(col(PersonRole.person_id) == person.id)
                )
            ).all()
        )
        where: ColumnElement[bool] = col(Holding.person_id) == person.id
        if roles & {Role.FIRST, Role.SECRETARY}:
            team = and_(col(Holding.person_id).is_(None), col(Holding.unit_id) == person.unit_id)
            where = or_(where, team)
        return _Holder(f"{person.name}（{person.code}）", where)
    unit = (await session.exec(select(Unit).where(func.upper(col(Unit.code)) == wanted))).first()
    if unit is None:
        raise CloseRefused(CloseProblem.UNKNOWN_HOLDER, value=code)
    team = and_(col(Holding.person_id).is_(None), col(Holding.unit_id) == unit.id)
    return _Holder(f"{unit.name}（{unit.code}）单位班子", team)


async def holder_outstanding(
    session: AsyncSession,
    *,
    holder_code: str,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> tuple[str, list[OutstandingItem]]:
    """A person's (or a unit team's) outstanding items, oldest due first, and how to name them."""
    holder = await _holder(session, holder_code)
    items = await outstanding(session, now=now, zone=zone, where=holder.where, calendar=calendar)
    return holder.label, items


async def close_due_item(
    session: AsyncSession,
    *,
    holder_code: str,
    item_code: str,
    period_key: str,
    reason: str,
    actor_person_id: int,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar | None = None,
) -> Closed:
    """Close one outstanding due item: it stops counting as outstanding or overdue; commits."""
    holder = await _holder(session, holder_code)
    item = (
        await session.exec(select(Item).where(func.upper(col(Item.code)) == item_code.upper()))
    ).first()
    if item is None:
        raise CloseRefused(CloseProblem.UNKNOWN_ITEM, value=item_code)
    period = period_of_key(period_key, item.deadline)
    if period is None:
        raise CloseRefused(CloseProblem.BAD_PERIOD, value=period_key)
    refuse = {"value": item.code, "holder": holder.label}
    holding = (
        await session.exec(
            select(Holding).where(
                holder.where, col(Holding.item_id) == item.id, col(Holding.active).is_(True)
            )
        )
    ).first()
    if holding is None or not item.active:
        raise CloseRefused(CloseProblem.NOT_HELD, **refuse)
    due = (
        await session.exec(
            select(DueItem).where(
                col(DueItem.holding_id) == holding.id, col(DueItem.period_key) == period.key
            )
        )
    ).first()
    if due is None:
        raise CloseRefused(CloseProblem.NO_DUE_ITEM, **refuse)
    if (await session.exec(select(recorded()).where(col(DueItem.id) == due.id))).one():
        raise CloseRefused(CloseProblem.ALREADY_DONE, **refuse)
    if due.closed_at is not None:
        when = f"{due.closed_at.astimezone(zone):%Y-%m-%d %H:%M}"
        raise CloseRefused(CloseProblem.ALREADY_CLOSED, detail=when, **refuse)
    today = local_date(now, zone)
    if not await _is_outstanding(session, due.id, today):
        raise CloseRefused(CloseProblem.NO_DUE_ITEM, **refuse)
    reason = " ".join(reason.split())
    if not reason:
        raise CloseRefused(CloseProblem.NO_REASON, **refuse)
    changed = await session.exec(
        update(DueItem)
        .where(col(DueItem.id) == due.id, col(DueItem.closed_at).is_(None))
        .values(closed_at=now, closed_by=actor_person_id, closed_reason=reason)
    )
    if changed.rowcount != 1:  # another admin closed it a moment ago
        await session.rollback()
        when = f"{now.astimezone(zone):%Y-%m-%d %H:%M}"
        raise CloseRefused(CloseProblem.ALREADY_CLOSED, detail=when, **refuse)
    detail = {
        "due_item_id": due.id,
        "holder": holder_code.strip().upper(),
        "item": item.code,
        "period": period.key,
        "reason": reason,
    }
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor_person_id,
            action="close_due_item",
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )
    shown = effective_due(
        due.due_date, calendar=calendar if calendar is not None else await load_calendar(session)
    )
    await session.commit()
    logger.info("due item %s closed by person %s", due.id, actor_person_id)
    return Closed(
        holder=holder.label,
        item_code=item.code,
        content=item.content,
        period=period,
        due=shown.effective,
        nominal=shown.nominal,
        days_overdue=(today - shown.effective).days,
        reason=reason,
        closed_at=now,
    )


async def _is_outstanding(session: AsyncSession, due_item_id: int | None, today: date) -> bool:
    query = (
        select(col(DueItem.id))
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .where(col(DueItem.id) == due_item_id, is_outstanding(today))
    )
    return (await session.exec(query)).first() is not None
