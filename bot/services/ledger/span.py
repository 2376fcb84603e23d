"""One unit's other facts for a span of days: its self-checks, reports, people and units.

(Its due items and their state come from bot.services.ledger.counting, the one rule.) Every
query is narrowed to one unit (indexed: person.unit_id), so an export costs the same in a small
district and a large one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    DraftState,
    Holding,
    Person,
    Report,
    SelfCheck,
    SelfCheckAnswer,
    Unit,
)


@dataclass(frozen=True)
class CheckAnswer:
    """A due item's answer in the latest submitted 季度自查 that covers it."""

    status: str  # done / progress / none
    note: str
    person_id: int


async def selfcheck_answers(
    session: AsyncSession, *, unit_id: int, period_keys: Iterable[str]
) -> dict[tuple[int, str], CheckAnswer]:
    """(due item id, quarter key) → its answer in that quarter's latest submitted version per
    person: a yearly item answered 推进中 in Q1 and 已完成 in Q3 keeps both."""
    latest = await _latest(session, SelfCheck, unit_id=unit_id, period_keys=period_keys)
    if not latest:
        return {}
    rows = (
        await session.exec(
            select(SelfCheckAnswer, SelfCheck.person_id, SelfCheck.period_key)
            .join(SelfCheck, col(SelfCheck.id) == col(SelfCheckAnswer.selfcheck_id))
            .where(col(SelfCheckAnswer.selfcheck_id).in_(latest))
            .order_by(col(SelfCheck.submitted_at))
        )
    ).all()
    return {(a.due_item_id, key): CheckAnswer(a.status, a.note, person) for a, person, key in rows}


@dataclass(frozen=True)
class ReportRow:
    """A person's latest submitted 半年报告 of a half-year."""

    person_id: int
    period_key: str
    version: int
    submitted_on: date | None


async def submitted_reports(
    session: AsyncSession, *, unit_id: int, period_keys: Iterable[str]
) -> list[ReportRow]:
    """The unit's people's latest submitted reports for the given half-year keys."""
    latest = await _latest(session, Report, unit_id=unit_id, period_keys=period_keys)
    if not latest:
        return []
    rows = (await session.exec(select(Report).where(col(Report.id).in_(latest)))).all()
    return [
        ReportRow(
            person_id=r.person_id,
            period_key=r.period_key,
            version=r.version,
            submitted_on=r.submitted_at.date() if r.submitted_at else None,
        )
        for r in rows
    ]


async def _latest(
    session: AsyncSession,
    table: type[SelfCheck] | type[Report],
    *,
    unit_id: int,
    period_keys: Iterable[str],
) -> list[int]:
    """Ids of the highest submitted version per person and period, for the unit's people."""
    rows = (
        await session.exec(
            select(col(table.id), col(table.person_id), col(table.period_key), col(table.version))
            .join(Person, col(Person.id) == col(table.person_id))
            .where(
                col(Person.unit_id) == unit_id,
                col(table.period_key).in_(list(period_keys)),
                col(table.state) == DraftState.SUBMITTED,
            )
        )
    ).all()
    best: dict[tuple[int, str], tuple[int, int]] = {}
    for row_id, person, key, version in rows:
        if row_id is not None and version >= best.get((person, key), (0, 0))[0]:
            best[(person, key)] = (version, row_id)
    return [row_id for _, row_id in best.values()]


async def people_names(session: AsyncSession, *, unit_id: int) -> dict[int, str]:
    """Person id → name for the unit's people (active or not: the ledger keeps history)."""
    rows = (
        await session.exec(select(Person.id, Person.name).where(col(Person.unit_id) == unit_id))
    ).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


async def unit_by_code(session: AsyncSession, *, code: str) -> Unit | None:
    """The unit with this code (any case), active or not."""
    return (
        await session.exec(select(Unit).where(func.upper(col(Unit.code)) == code.strip().upper()))
    ).first()


async def unit_by_id(session: AsyncSession, *, unit_id: int) -> Unit | None:
    return await session.get(Unit, unit_id)


async def active_units(session: AsyncSession) -> list[tuple[str, str]]:
    """(code, name) of every active unit that holds items, by code: what an admin picks from."""
    held = select(col(Holding.unit_id)).where(col(Holding.active).is_(True))
    rows = (
        await session.exec(
            select(Unit.code, Unit.name)
            .where(col(Unit.active).is_(True), col(Unit.id).in_(held))
            .order_by(col(Unit.code))
        )
    ).all()
    return [(code, name) for code, name in rows]
