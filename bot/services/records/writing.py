"""履责记实: add, undo and correct records (append-only rows, each made once by its origin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.ledger.outstanding import live_record
from bot.services.records.choices import Choice, choice_by_id
from storage.models import AuditEntry, DueItem, Holding, Item, Record

UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Added:
    """The row an origin made: `fresh` is False when it existed already (a double press)."""

    record: Record
    fresh: bool


async def known_items(session: AsyncSession) -> list[tuple[str, str]]:
    """(责任内容, 工作措施) of every active item: the matcher learns their words at start-up."""
    rows = (
        await session.exec(select(Item.content, Item.measures).where(col(Item.active).is_(True)))
    ).all()
    return [(content, measures) for content, measures in rows]


async def add_record(
    session: AsyncSession,
    *,
    origin: str,
    due_item_id: int | None,
    author_id: int,
    unit_id: int,
    text: str,
    happened_on: date,
    now: datetime,
    corrects_id: int | None = None,
    voids_id: int | None = None,
    late_reason: str | None = None,
    file_id: str | None = None,
    file_kind: str | None = None,
    source_chat_id: int | None = None,
    source_message_id: int | None = None,
) -> Added:
    """Insert the row `origin` names, once: a second call (a double press, another worker at
    the same moment) finds the first row through the unique origin instead of adding one.
    Never commits; the insert runs in a savepoint so a lost race leaves the session usable."""
    existing = await by_origin(session, origin=origin)
    if existing is not None:
        return Added(existing, fresh=False)
    record = Record(
        origin=origin,
        due_item_id=due_item_id,
        author_id=author_id,
        unit_id=unit_id,
        text=text,
        happened_on=happened_on,
        recorded_at=now,
        corrects_id=corrects_id,
        voids_id=voids_id,
        late_reason=late_reason,
        file_id=file_id,
        file_kind=file_kind,
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
    )
    try:
        async with session.begin_nested():
            session.add(record)
    except IntegrityError:
        existing = await by_origin(session, origin=origin)
        if existing is None:
            raise
        return Added(existing, fresh=False)
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=author_id,
            action="record.undo" if voids_id else "record.correct" if corrects_id else "record.add",
            detail=f"record={record.id} due_item={due_item_id} origin={origin}",
        )
    )
    return Added(record, fresh=True)


async def by_origin(session: AsyncSession, *, origin: str) -> Record | None:
    """The row an origin made, if any."""
    return (await session.exec(select(Record).where(Record.origin == origin))).first()


async def _own_live(session: AsyncSession, *, record_id: int, viewer: Viewer) -> Record:
    """A record the viewer made that still counts (refusals say why not)."""
    record = await session.get(Record, record_id)
    if record is None or record.voids_id is not None:
        raise RecordRefused(RecordProblem.STALE)
    if record.author_id != viewer.person_id:
        raise RecordRefused(RecordProblem.FOREIGN)
    if await by_origin(session, origin=f"undo:{record_id}") is not None:
        raise RecordRefused(RecordProblem.ALREADY_UNDONE)
    return record


@dataclass(frozen=True)
class Undone:
    """A 撤销: the undo row (`fresh` False on a double press), the chain's newest row it voided,
    and the item's state after it: `still_done` when another record of the due item counts."""

    record: Record
    fresh: bool
    voided_id: int
    still_done: bool


async def chain_head(session: AsyncSession, record: Record) -> Record:
    """The newest row of the record's chain: its correction's correction … (each corrected once)."""
    head = record
    while True:
        newer = await by_origin(session, origin=f"fix:{head.id}")
        if newer is None:
            return head
        head = newer


async def undo(session: AsyncSession, *, record_id: int, viewer: Viewer, now: datetime) -> Undone:
    """撤销 within UNDO_WINDOW of the pressed record: a row that voids its chain's newest row, so
    the whole chain (the record, its corrections, its 逾期说明) stops counting; nothing is
    deleted. Pressed twice, or by two workers at once, it is one row."""
    record = await session.get(Record, record_id)
    if record is None or record.voids_id is not None:
        raise RecordRefused(RecordProblem.STALE)
    if record.author_id != viewer.person_id:
        raise RecordRefused(RecordProblem.FOREIGN)
    head = await chain_head(session, record)
    assert head.id is not None
    existing = await by_origin(session, origin=f"undo:{head.id}")
    if existing is None:
        if now - record.recorded_at > UNDO_WINDOW:
            minutes = str(int(UNDO_WINDOW.total_seconds() // 60))
            raise RecordRefused(RecordProblem.UNDO_EXPIRED, minutes)
        added = await add_record(
            session,
            origin=f"undo:{head.id}",
            due_item_id=head.due_item_id,
            author_id=viewer.person_id,
            unit_id=head.unit_id,
            text="撤销",
            happened_on=head.happened_on,
            now=now,
            voids_id=head.id,
        )
        existing, fresh = added.record, added.fresh
    else:
        fresh = False
    still = False
    if head.due_item_id is not None:
        still = (
            await session.exec(
                select(func.count())
                .select_from(Record)
                .where(col(Record.due_item_id) == head.due_item_id, live_record())
            )
        ).one() > 0
    return Undone(existing, fresh, head.id, still)


def refuse_system(system: str | None) -> None:
    """A record of a built-in item (季度自查 / 半年报告, made by 提交) is never moved to another
    item nor re-texted: refused, naming the command that hands in a new version."""
    if system:
        raise RecordRefused(RecordProblem.SYSTEM_RECORD, "/" + system)


async def _system_of(session: AsyncSession, record: Record) -> str | None:
    if record.due_item_id is None:
        return None
    found = await session.exec(
        select(Item.system)
        .join(Holding, col(Holding.item_id) == col(Item.id))
        .join(DueItem, col(DueItem.holding_id) == col(Holding.id))
        .where(col(DueItem.id) == record.due_item_id)
    )
    return found.first()


async def correct(
    session: AsyncSession,
    *,
    record_id: int,
    viewer: Viewer,
    now: datetime,
    text: str | None = None,
    due_item_id: int | None = None,
    late_reason: str | None = None,
    happened_on: date | None = None,
) -> tuple[Added, Choice | None]:
    """更正: a new record pointing at the old (new text, another item, another day, or a 逾期说明
    added); the old stays, shown as corrected. A record is corrected once: correct the newest.
    A record of 季度自查 / 半年报告 keeps its text, item and day (refuse_system)."""
    record = await _own_live(session, record_id=record_id, viewer=viewer)
    if text is not None or due_item_id is not None or happened_on is not None:
        refuse_system(await _system_of(session, record))
    fixed = await by_origin(session, origin=f"fix:{record_id}")
    if fixed is not None:
        raise RecordRefused(RecordProblem.ALREADY_CORRECTED, str(fixed.id))
    target = due_item_id if due_item_id is not None else record.due_item_id
    choice = None
    if target is not None:
        choice = await choice_by_id(session, viewer=viewer, due_item_id=target)
        if choice is None:
            raise RecordRefused(RecordProblem.NOT_YOURS)
        if due_item_id is not None and choice.system:
            raise RecordRefused(RecordProblem.SYSTEM_ITEM, "/" + choice.system)
        choice.check_day(happened_on or record.happened_on)
    added = await add_record(
        session,
        origin=f"fix:{record_id}",
        due_item_id=target,
        author_id=viewer.person_id,
        unit_id=choice.unit_id if choice else record.unit_id,
        text=text if text is not None else record.text,
        happened_on=happened_on or record.happened_on,
        now=now,
        corrects_id=record_id,
        late_reason=late_reason if late_reason is not None else record.late_reason,
        file_id=record.file_id,
        file_kind=record.file_kind,
        source_chat_id=record.source_chat_id,
        source_message_id=record.source_message_id,
    )
    if not added.fresh:
        raise RecordRefused(RecordProblem.ALREADY_CORRECTED, str(added.record.id))
    return added, choice
