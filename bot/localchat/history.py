"""The demo's history (`make demo` only): this year's records, self-checks, reports and a notice, written once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.localchat.history_plan import PHOTO_IDS, Due, Planner
from bot.localchat.history_write import MARKER, notice, remember_steps, write
from bot.services.calendar.periods import DueRule, effective_due, local_date, periods_between
from bot.services.calendar.workdays import WorkCalendar, load_calendar
from storage.models import (
    DueItem,
    Holding,
    Item,
    Person,
    PersonRole,
    Record,
    Report,
    Role,
    SelfCheck,
    Unit,
)

logger = logging.getLogger(__name__)
PHOTO_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PHOTOS = {file_id: (f"现场照片{n}.jpg", PHOTO_BYTES) for n, file_id in enumerate(PHOTO_IDS, 1)}


@dataclass(frozen=True)
class HistorySummary:
    """What load_history wrote (fresh False: it was there already, nothing written)."""

    fresh: bool
    since: date | None = None
    due_items_added: int = 0
    records: int = 0  # rows of 履责记实 written, undo and correction rows included
    live: int = 0  # of them, the ones that count (the system items' included)
    selfchecks: int = 0
    reports: int = 0
    receipts: int = 0
    acknowledged: int = 0


async def load_history(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime, zone: ZoneInfo
) -> HistorySummary:
    """From 1 January to `now`: the due items of past periods, then the plan's rows, the
    reminder steps already taken for what is still open, and one notice; one commit."""
    async with sessions() as session:
        if (
            await session.exec(select(Record.id).where(col(Record.origin).startswith(MARKER)))
        ).first():
            return HistorySummary(fresh=False)
        today = local_date(now, zone)
        since = date(today.year, 1, 1)
        calendar = await load_calendar(session)
        added = await backfill(
            session, since=since, today=today, now=now, zone=zone, calendar=calendar
        )
        dues = await due_items(session, today=today, calendar=calendar)
        authors = await team_authors(session)
        planner = Planner(today=today, now=now, zone=zone, calendar=calendar, seed=today.year)
        planner.records(dues, authors)
        planner.touches()
        taken = set((await session.exec(select(SelfCheck.person_id, SelfCheck.period_key))).all())
        taken |= set((await session.exec(select(Report.person_id, Report.period_key))).all())
        planner.selfchecks(dues, taken=taken)
        await write(session, planner.plan.rows)
        live = planner.plan.live()
        recorded = {p.due.id for p in live}
        await remember_steps(
            session,
            dues=[d for d in dues if d.id not in recorded],
            today=today,
            calendar=calendar,
            zone=zone,
        )
        receipts, acknowledged = await notice(
            session, today=today, now=now, zone=zone, calendar=calendar
        )
        rows = planner.plan.rows
        summary = HistorySummary(
            fresh=True,
            since=since,
            due_items_added=added,
            records=len(rows),
            live=len(live),
            selfchecks=sum(1 for p in rows if p.kind == "selfcheck"),
            reports=sum(1 for p in rows if p.kind == "report"),
            receipts=receipts,
            acknowledged=acknowledged,
        )
        await session.commit()
    logger.info("demo history: %s", summary)
    return summary


async def backfill(
    session: AsyncSession,
    *,
    since: date,
    today: date,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
) -> int:
    """The district 'was imported on 1 January': every active holding gets the due items of the
    periods since then (the import made only the current ones)."""
    start = datetime.combine(since, time(9), zone).astimezone(UTC)
    await session.exec(
        update(Holding).where(col(Holding.created_at) > start).values(created_at=start)
    )
    rows = (
        await session.exec(
            select(Holding.id, Item)
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(col(Holding.active).is_(True), col(Item.active).is_(True))
        )
    ).all()
    have = set((await session.exec(select(DueItem.holding_id, DueItem.period_key))).all())
    rule = DueRule(calendar)
    new = []
    for holding_id, item in rows:
        for period in periods_between(item.frequency, since, today, item.deadline):
            if (holding_id, period.key) in have:
                continue
            new.append(
                {
                    "holding_id": holding_id,
                    "period_key": period.key,
                    "period_start": period.start,
                    "period_end": period.end,
                    "due_date": rule.nominal(period, item.deadline, item.system),
                    "created_at": start,
                }
            )
    if new:
        await session.exec(insert(DueItem), params=new)
    return len(new)


async def due_items(session: AsyncSession, *, today: date, calendar: WorkCalendar) -> list[Due]:
    """Every open due item whose period has begun, in a fixed order."""
    rows = (
        await session.exec(
            select(DueItem, Holding, Item, Unit.code)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Unit, col(Unit.id) == col(Holding.unit_id))
            .where(
                col(DueItem.period_start) <= today,
                col(DueItem.closed_at).is_(None),
                col(Holding.active).is_(True),
                col(Item.active).is_(True),
            )
            .order_by(col(DueItem.due_date), col(Item.code), col(DueItem.id))
        )
    ).all()
    return [
        Due(
            _id(due.id),
            item.code,
            item.measures,
            item.system,
            holding.unit_id,
            unit_code,
            holding.person_id,
            due.period_key,
            due.period_start,
            due.period_end,
            effective_due(due.due_date, calendar=calendar).effective,
        )
        for due, holding, item, unit_code in rows
    ]


async def team_authors(session: AsyncSession) -> dict[int, int]:
    """Who records a 单位班子 item: the unit's 联络员 (else its 第一责任人)."""
    rows = (
        await session.exec(
            select(Person.unit_id, Person.id, PersonRole.role)
            .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
            .where(col(Person.active).is_(True))
            .order_by(col(Person.code))
        )
    ).all()
    found: dict[int, int] = {}
    for role in (Role.FIRST, Role.SECRETARY):  # the 联络员 wins where there is one
        found.update({unit: _id(person) for unit, person, r in reversed(rows) if r == role})
    return found


def _id(value: int | None) -> int:
    assert value is not None
    return value


def history_line(summary: HistorySummary) -> str:
    """The banner line about the history."""
    if not summary.fresh:
        return "今年的示例履责记录已在库中（:clock 拨动时钟后，新的提醒照常发送）"
    return (
        f"已载入示例履责记录：{summary.since:%Y年%m月%d日}起 {summary.records} 条记实、"
        f"{summary.selfchecks} 份季度自查、{summary.reports} 份半年报告；"
        f"通知 1 份（{summary.receipts} 人收到，{summary.acknowledged} 人已阅）"
    )
