"""履责记实: add, undo and correct records (append-only rows, each made once by its origin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, Item, Record

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
