"""What 自查 and 报告 read: a holder's due items of a period with their live 履责记实, the latest self-check."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import (
    ONCE_KEY,
    SYSTEM_REPORT,
    SYSTEM_SELFCHECK,
    Period,
    period_containing,
    period_of_key,
    stored_period,
)
from bot.services.directory.identity import Viewer
from bot.services.ledger.counting import DueRow, DueState, due_rows, rows_where
from bot.services.ledger.outstanding import due_item_rows, live_record
from bot.services.ledger.status import mine
from storage.models import (
    DraftState,
    DueItem,
    DutyType,
    Frequency,
    Holding,
    Item,
    Record,
    Report,
    SelfCheck,
    SelfCheckAnswer,
)

OFFER_PREVIOUS_DAYS = 15  # in a period's first 15 days, the previous one is offered too
# the period a built-in item (季度自查 "selfcheck", 半年报告 "report") is handed in for
SYSTEM_FREQUENCY = {SYSTEM_SELFCHECK: Frequency.QUARTERLY, SYSTEM_REPORT: Frequency.HALF_YEARLY}
DUTY_ORDER = {DutyType.MAIN: 0, DutyType.SUPERVISION: 1}
OWED = (DueState.OPEN, DueState.OVERDUE)  # not done, not closed


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


@dataclass(frozen=True)
class Answer:
    """One item's answer: status ('' until chosen, when only a note was written) and the note."""

    status: str
    note: str


@dataclass(frozen=True)
class Submitted:
    """The self-check that counts for a person and quarter: its version and answers."""

    id: int
    version: int
    submitted_at: datetime
    answers: dict[int, Answer]  # due item id → answer


async def latest_selfcheck(
    session: AsyncSession, *, person_id: int, period_key: str
) -> Submitted | None:
    """The latest submitted self-check of a person for a quarter key (e.g. 2026-Q4), or None.

    Public: the half-year report and the 季度工作进展清单 export read self-checks through it.
    """
    check = (
        await session.exec(
            select(SelfCheck)
            .where(
                col(SelfCheck.person_id) == person_id,
                col(SelfCheck.period_key) == period_key,
                col(SelfCheck.state) == DraftState.SUBMITTED,
            )
            .order_by(col(SelfCheck.version).desc())
        )
    ).first()
    if check is None or check.submitted_at is None:
        return None
    answers = await answers_of(session, selfcheck_id=_id(check.id))
    return Submitted(_id(check.id), check.version, check.submitted_at, answers)


async def answers_of(session: AsyncSession, *, selfcheck_id: int) -> dict[int, Answer]:
    """A self-check's answers by due item id."""
    query = select(SelfCheckAnswer).where(col(SelfCheckAnswer.selfcheck_id) == selfcheck_id)
    return {row.due_item_id: Answer(row.status, row.note) for row in (await session.exec(query))}


async def put_answer(
    session: AsyncSession,
    selfcheck_id: int,
    due_item_id: int,
    now: datetime,
    *,
    status: str | None = None,
    note: str | None = None,
) -> None:
    """Set an answer's status and/or note (the row is made on first use)."""
    row = (
        await session.exec(
            select(SelfCheckAnswer).where(
                col(SelfCheckAnswer.selfcheck_id) == selfcheck_id,
                col(SelfCheckAnswer.due_item_id) == due_item_id,
            )
        )
    ).first()
    if row is None:
        row = SelfCheckAnswer(
            selfcheck_id=selfcheck_id, due_item_id=due_item_id, status="", answered_at=now
        )
    if status is not None:
        row.status = status
    if note is not None:
        row.note = note
    row.answered_at = now
    session.add(row)
    await session.flush()


async def prefill_done(
    session: AsyncSession, *, selfcheck_id: int, items: list[HolderItem], now: datetime
) -> None:
    """A new self-check starts with items that have a 履责记实 that counts answered 已完成."""
    for item in items:
        if item.records:
            await put_answer(session, selfcheck_id, item.due_item_id, now, status="done")


async def next_version(
    session: AsyncSession, *, model: type[SelfCheck] | type[Report], person_id: int, period_key: str
) -> int:
    """The version a new self-check or report of this person and period gets (1 for the first)."""
    latest = (
        await session.exec(
            select(func.max(model.version)).where(
                col(model.person_id) == person_id, col(model.period_key) == period_key
            )
        )
    ).one()
    return (latest or 0) + 1


def periods_to_offer(frequency: Frequency, today: date) -> list[Period]:
    """The current quarter or half-year; in its first 15 days the previous one first (its
    季度自查 / 半年报告 is due then)."""
    current = period_containing(frequency, today)
    if (today - current.start).days < OFFER_PREVIOUS_DAYS:
        return [period_containing(frequency, current.start - timedelta(days=1)), current]
    return [current]


async def offered_periods(
    session: AsyncSession, *, person_id: int, system: str, today: date
) -> list[Period]:
    """The quarters (system "selfcheck") or half-years ("report") /selfcheck or /report offers,
    oldest first: every ended one whose 季度自查 / 半年报告 the person still owes by the ledger
    rule (not done, not closed: overdue, or due soon), then periods_to_offer's (the previous one
    in a period's first 15 days, the current one)."""
    rows = await rows_where(
        session,
        where=and_(
            col(Holding.person_id) == person_id,
            col(Holding.active).is_(True),
            col(Item.active).is_(True),
            col(Item.system) == system,
            col(DueItem.period_end) < today,
        ),
        today=today,
    )
    found = {row.period.key: row.period for row in rows if row.state in OWED}
    for period in periods_to_offer(SYSTEM_FREQUENCY[system], today):
        found.setdefault(period.key, period)
    return sorted(found.values(), key=lambda period: period.start)


async def period_to_open(
    session: AsyncSession, *, person_id: int, system: str, period_key: str, today: date
) -> Period | None:
    """The period a self-check or report may be opened for: one offered now (offered_periods),
    or one whose 季度自查 / 半年报告 the person holds (a reminder named it); None otherwise."""
    for period in await offered_periods(session, person_id=person_id, system=system, today=today):
        if period.key == period_key:
            return period
    held = await system_due_item(session, person_id=person_id, system=system, period_key=period_key)
    return None if held is None else period_of_key(period_key)


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


async def system_due_item(
    session: AsyncSession, *, person_id: int, system: str, period_key: str
) -> int | None:
    """The person's due item of a built-in item (季度自查 "selfcheck", 半年报告 "report") for a period."""
    query = (
        select(DueItem.id)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .where(
            col(Holding.person_id) == person_id,
            col(Item.system) == system,
            col(DueItem.period_key) == period_key,
        )
    )
    return (await session.exec(query)).first()


def _id(value: int | None) -> int:
    assert value is not None
    return value
