"""What 自查 and 报告 read: a holder's due items of a period with their live 履责记实, the latest self-check."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import (
    ONCE_KEY,
    Period,
    stored_period,
)
from bot.services.directory.identity import Viewer
from bot.services.ledger.counting import DueRow, DueState, due_rows
from bot.services.ledger.outstanding import due_item_rows, live_record
from bot.services.ledger.selfcheck_answers import put_answer
from bot.services.ledger.status import mine
from storage.models import (
    DueItem,
    DutyType,
    Holding,
    Item,
    Record,
)

OWED = (DueState.OPEN, DueState.OVERDUE)  # not done, not closed
DUTY_ORDER = {DutyType.MAIN: 0, DutyType.SUPERVISION: 1}


@dataclass(frozen=True)
class Done:
    """One 履责记实 that counts: the day and what was done."""

    happened_on: date
    text: str


@dataclass(frozen=True)
class HolderItem:
    """One due item of the holder in the period, with the records that count for it."""

    due_item_id: int
    item_code: str
    content: str
    duty_type: DutyType
    period: Period  # the due item's own period (a month, the quarter, the half-year, the year)
    unit_team: bool
    records: tuple[Done, ...]


@dataclass(frozen=True)
class ItemRecord:
    """A 履责记实 that counts, with the item (of the holder's) it is for."""

    item_code: str
    content: str
    duty_type: DutyType
    unit_team: bool
    done: Done


async def prefill_done(
    session: AsyncSession, *, selfcheck_id: int, items: list[HolderItem], now: datetime
) -> None:
    """A new self-check starts with items that have a 履责记实 that counts answered 已完成."""
    for item in items:
        if item.records:
            await put_answer(session, selfcheck_id, item.due_item_id, now, status="done")


def overlapping(period: Period) -> ColumnElement[bool]:
    """Due items whose period overlaps `period`; a one-off item when its deadline falls in it."""
    once = col(DueItem.period_key) == ONCE_KEY
    return or_(
        and_(
            ~once,
            col(DueItem.period_start) <= period.end,
            col(DueItem.period_end) >= period.start,
        ),
        and_(once, col(DueItem.period_end).between(period.start, period.end)),
    )


async def holder_items(
    session: AsyncSession, *, viewer: Viewer, period: Period
) -> list[HolderItem]:
    """The viewer's own due items (with their 单位班子 ones, see ledger.mine) overlapping
    `period`, the built-in 季度自查 / 半年报告 left out; 主体责任 first, then by code and period."""
    rows = (
        await session.exec(
            due_item_rows().where(
                mine(viewer),
                col(Holding.active).is_(True),
                col(Item.active).is_(True),
                col(Item.system).is_(None),
                overlapping(period),
            )
        )
    ).all()
    done = await records_of(session, [due.id for due, _h, _i, _n in rows if due.id is not None])
    items = [
        HolderItem(
            due_item_id=_id(due.id),
            item_code=item.code,
            content=item.content,
            duty_type=item.duty_type,
            period=stored_period(due.period_key, due.period_start, due.period_end),
            unit_team=holding.person_id is None,
            records=tuple(done.get(_id(due.id), [])),
        )
        for due, holding, item, _name in rows
    ]
    items.sort(key=lambda i: (DUTY_ORDER[i.duty_type], i.item_code, i.period.start))
    return items


async def records_of(session: AsyncSession, due_item_ids: list[int]) -> dict[int, list[Done]]:
    """Due item → its records that count (bot.services.ledger.outstanding.live_record), oldest first."""
    if not due_item_ids:
        return {}
    rows = (
        await session.exec(
            select(Record)
            .where(col(Record.due_item_id).in_(due_item_ids), live_record())
            .order_by(col(Record.happened_on), col(Record.id))
        )
    ).all()
    found: dict[int, list[Done]] = defaultdict(list)
    for record in rows:
        if record.due_item_id is not None:
            found[record.due_item_id].append(Done(record.happened_on, record.text))
    return found


async def records_within(
    session: AsyncSession, *, viewer: Viewer, period: Period
) -> list[ItemRecord]:
    """The records that count (outstanding.live_record) of the viewer's items (ledger.mine, the
    built-in 季度自查 / 半年报告 left out) done within `period` — by their `happened_on`, whichever
    due item they are for (a yearly item's due item carries the whole year's) — oldest first."""
    rows = (
        await session.exec(
            select(Record, Item, Holding)
            .join(DueItem, col(DueItem.id) == col(Record.due_item_id))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(
                mine(viewer),
                col(Holding.active).is_(True),
                col(Item.active).is_(True),
                col(Item.system).is_(None),
                col(Record.happened_on).between(period.start, period.end),
                live_record(),
            )
            .order_by(col(Record.happened_on), col(Record.id))
        )
    ).all()
    return [
        ItemRecord(
            item.code,
            item.content,
            item.duty_type,
            holding.person_id is None,
            Done(record.happened_on, record.text),
        )
        for record, item, holding in rows
    ]


async def unrecorded(
    session: AsyncSession, *, viewer: Viewer, period: Period, today: date
) -> list[DueRow]:
    """The viewer's due items (ledger.mine, the built-in ones left out) that count in `period`
    by the ledger rule (ledger.counting: nominal due date inside it, begun by `today`) and are
    not done; closed ones are out of the count and left out."""
    rows = await due_rows(
        session,
        first=period.start,
        last=period.end,
        today=today,
        where=and_(mine(viewer), col(Item.system).is_(None)),
    )
    return [row for row in rows if row.state in OWED]


async def unmatched_records(session: AsyncSession, *, person_id: int, period: Period) -> list[Done]:
    """The person's records that count but name no due item, made within `period`."""
    rows = (
        await session.exec(
            select(Record)
            .where(
                col(Record.author_id) == person_id,
                col(Record.due_item_id).is_(None),
                col(Record.happened_on).between(period.start, period.end),
                live_record(),
            )
            .order_by(col(Record.happened_on), col(Record.id))
        )
    ).all()
    return [Done(record.happened_on, record.text) for record in rows]


def _id(value: int | None) -> int:
    assert value is not None
    return value
