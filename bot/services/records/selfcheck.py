"""季度自查: a holder steps through the quarter's items; draft, position and answers live in the DB.

Every press is one conditional UPDATE (still a draft, still at that step): a stale or doubled
button changes nothing. A new self-check of a quarter is a new version (`latest_selfcheck`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import SYSTEM_SELFCHECK, period_of_key
from bot.services.directory.identity import Viewer
from bot.services.errors import DraftStale, Stale
from bot.services.ledger.holder_period import holder_items, prefill_done
from bot.services.ledger.review_periods import period_to_open, system_due_item
from bot.services.ledger.selfcheck_answers import (
    Answer,
    Submitted,
    answers_of,
    latest_selfcheck,
    next_version,
    put_answer,
)
from bot.services.records.selfcheck_sheet import Sheet, names, still_at, still_open
from bot.services.records.writing import add_record
from storage.models import DraftState, SelfCheck, SelfCheckAnswer

__all__ = ["Answer", "Sheet", "Submitted", "latest_selfcheck", "still_at", "still_open"]
STATUSES = ("done", "progress", "none")  # 已完成 / 推进中 / 未开展
NOTE_LIMIT = 200


async def open_draft(
    session: AsyncSession, *, person_id: int, period_key: str | None = None
) -> SelfCheck | None:
    """The person's unfinished self-check (of that quarter, if given), the most recently touched."""
    mine = col(SelfCheck.person_id) == person_id, col(SelfCheck.state) == DraftState.DRAFT
    query = select(SelfCheck).where(*mine)
    if period_key is not None:
        query = query.where(col(SelfCheck.period_key) == period_key)
    return (await session.exec(query.order_by(col(SelfCheck.updated_at).desc()))).first()


async def begin(
    session: AsyncSession, *, viewer: Viewer, period_key: str, now: datetime, today: date
) -> Sheet:
    """The quarter's open draft if there is one, else a new version with recorded items
    pre-filled as 已完成 (two presses at once: the loser finds the winner's draft). Stale.GONE
    for a quarter that may not be opened (holder_period.period_to_open: offered now, or its
    季度自查 held — an overdue one too)."""
    period = await period_to_open(
        session,
        person_id=viewer.person_id,
        system=SYSTEM_SELFCHECK,
        period_key=period_key,
        today=today,
    )
    if period is None:
        raise DraftStale(Stale.GONE)
    existing = await open_draft(session, person_id=viewer.person_id, period_key=period_key)
    if existing is not None:
        return await load_sheet(session, viewer=viewer, selfcheck_id=_id(existing.id))
    version = await next_version(
        session, model=SelfCheck, person_id=viewer.person_id, period_key=period_key
    )
    check = SelfCheck(
        person_id=viewer.person_id,
        period_key=period_key,
        version=version,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(check)
    except IntegrityError:
        return await begin(session, viewer=viewer, period_key=period_key, now=now, today=today)
    sheet = await load_sheet(session, viewer=viewer, selfcheck_id=_id(check.id))
    await prefill_done(session, selfcheck_id=sheet.id, items=sheet.items, now=now)
    return await load_sheet(session, viewer=viewer, selfcheck_id=sheet.id)


async def load_sheet(session: AsyncSession, *, viewer: Viewer, selfcheck_id: int) -> Sheet:
    """The viewer's self-check with its items and answers; Stale.GONE if it is not theirs."""
    check = await session.get(SelfCheck, selfcheck_id, populate_existing=True)
    if check is None or check.person_id != viewer.person_id:
        raise DraftStale(Stale.GONE)
    period = period_of_key(check.period_key)
    assert period is not None
    return Sheet(
        id=selfcheck_id,
        period=period,
        version=check.version,
        state=check.state,
        position=check.position,
        items=await holder_items(session, viewer=viewer, period=period),
        answers=await answers_of(session, selfcheck_id=selfcheck_id),
    )


async def answer(
    session: AsyncSession,
    *,
    viewer: Viewer,
    selfcheck_id: int,
    index: int,
    due_item_id: int,
    status: str,
    now: datetime,
) -> Sheet:
    """Answer step `index`, the due item `due_item_id` (the one the button showed), and move to
    the next; only the current step of an open draft, and only while it still asks about that
    item (Stale.SHIFTED: the quarter's list changed since, e.g. the daily roll added an item)."""
    if status not in STATUSES:
        raise DraftStale(Stale.GONE)
    sheet = await _move(session, viewer, selfcheck_id, index, index + 1, now, due_item_id)
    item = sheet.items[index]
    await put_answer(session, sheet.id, item.due_item_id, now, status=status)
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


async def go_back(
    session: AsyncSession,
    *,
    viewer: Viewer,
    selfcheck_id: int,
    index: int,
    due_item_id: int,
    now: datetime,
) -> Sheet:
    """上一项: from step `index`, the due item `due_item_id` (or the review: index = number of
    items, due_item_id 0), to the one before."""
    if index <= 0:
        raise DraftStale(Stale.MOVED)
    await _move(session, viewer, selfcheck_id, index, index - 1, now, due_item_id)
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


async def restart(
    session: AsyncSession, *, viewer: Viewer, selfcheck_id: int, now: datetime
) -> Sheet:
    """重新开始: the open draft back to its first step, answers cleared and pre-filled again."""
    await _change(session, viewer, selfcheck_id, _open(selfcheck_id), position=0, updated_at=now)
    await session.exec(
        delete(SelfCheckAnswer).where(col(SelfCheckAnswer.selfcheck_id) == selfcheck_id)
    )
    sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
    await prefill_done(session, selfcheck_id=sheet.id, items=sheet.items, now=now)
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


async def cancel(
    session: AsyncSession, *, viewer: Viewer, selfcheck_id: int, now: datetime
) -> Sheet:
    """取消: the draft is given up (kept as cancelled); a later /selfcheck starts a new one."""
    gone = {"state": DraftState.CANCELLED, "updated_at": now}
    await _change(session, viewer, selfcheck_id, _open(selfcheck_id), **gone)
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


async def write_note(
    session: AsyncSession,
    *,
    viewer: Viewer,
    selfcheck_id: int,
    due_item_id: int,
    note: str,
    now: datetime,
) -> Sheet:
    """A note for the step of `due_item_id` in an open draft (any step of it; the due item the
    prompt was stored for, never a position that a roll may have shifted)."""
    sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
    still_open(sheet)
    if not any(item.due_item_id == due_item_id for item in sheet.items):
        raise DraftStale(Stale.MOVED)
    await _change(session, viewer, selfcheck_id, _open(selfcheck_id), updated_at=now)
    await put_answer(session, sheet.id, due_item_id, now, note=note)
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


async def submit(
    session: AsyncSession, *, viewer: Viewer, selfcheck_id: int, today: date, now: datetime
) -> Sheet:
    """Hand in a fully answered draft, once (a conditional UPDATE); the ZC due item of its
    quarter gets its 履责记实. A doubled press returns the submitted sheet with fresh=False."""
    sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
    if sheet.state is DraftState.SUBMITTED:
        return replace(sheet, fresh=False)
    still_open(sheet)
    if sheet.position < len(sheet.items) or any(not sheet.answer(i).status for i in sheet.items):
        raise DraftStale(Stale.UNFINISHED)
    changed = await session.exec(
        update(SelfCheck)
        .where(_open(selfcheck_id), col(SelfCheck.person_id) == viewer.person_id)
        .values(state=DraftState.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
        if sheet.state is DraftState.SUBMITTED:
            return replace(sheet, fresh=False)
        raise DraftStale(Stale.CANCELLED)
    due_item_id = await system_due_item(
        session, person_id=viewer.person_id, system=SYSTEM_SELFCHECK, period_key=sheet.period.key
    )
    await add_record(
        session,
        origin=f"selfcheck:{sheet.id}",
        due_item_id=due_item_id,
        author_id=viewer.person_id,
        unit_id=viewer.unit_id,
        text=f"提交季度自查（第{sheet.version}版）",
        happened_on=today,
        now=now,
    )
    return await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)


def _open(selfcheck_id: int) -> ColumnElement[bool]:
    return and_(col(SelfCheck.id) == selfcheck_id, col(SelfCheck.state) == DraftState.DRAFT)


async def _change(
    session: AsyncSession,
    viewer: Viewer,
    selfcheck_id: int,
    where: ColumnElement[bool],
    **values: object,
) -> None:
    """One conditional UPDATE of the viewer's self-check; Stale (why) when it matched nothing."""
    await session.flush()  # nothing left pending: the update middleware commits, not rolls back
    changed = await session.exec(
        update(SelfCheck)
        .where(where, col(SelfCheck.person_id) == viewer.person_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
        still_open(sheet)
        raise DraftStale(Stale.MOVED)


async def _move(
    session: AsyncSession,
    viewer: Viewer,
    selfcheck_id: int,
    index: int,
    to: int,
    now: datetime,
    due_item_id: int,
) -> Sheet:
    """Position `index` → `to`, only if the draft is open, still at `index`, and step `index`
    is still the due item `due_item_id`."""
    sheet = await load_sheet(session, viewer=viewer, selfcheck_id=selfcheck_id)
    still_open(sheet)
    if not 0 <= index <= len(sheet.items) or not 0 <= to <= len(sheet.items):
        raise DraftStale(Stale.MOVED)
    names(sheet, index, due_item_id)
    at_index = and_(_open(selfcheck_id), col(SelfCheck.position) == index)
    await _change(session, viewer, selfcheck_id, at_index, position=to, updated_at=now)
    return sheet


def _id(value: int | None) -> int:
    assert value is not None
    return value
