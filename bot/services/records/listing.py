"""/records: a holder's 履责记实, newest first, each with its item, period and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.services.calendar.periods import Period, stored_period
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import mine
from storage.models import DueItem, Holding, Item, Record

PAGE_SIZE = 5


@dataclass(frozen=True)
class RecordView:
    """One record as /records shows it."""

    id: int
    author_id: int
    code: str | None
    content: str | None
    period: Period | None
    happened_on: date
    recorded_at: datetime
    text: str
    late_reason: str | None
    file_id: str | None
    file_kind: str | None
    corrects_id: int | None
    corrected_by: int | None  # the record that replaced this one
    voided: bool  # undone (撤销), itself or its chain's newest row
    system: str | None = None  # its item's (selfcheck / report): made by 提交, never re-texted


@dataclass(frozen=True)
class RecordPage:
    """One page of records and where it sits."""

    views: list[RecordView]
    page: int
    pages: int
    total: int


def _visible(viewer: Viewer):  # type: ignore[no-untyped-def]
    """Records the viewer made, or made on items they answer for (not the undo rows)."""
    return (
        col(Record.voids_id).is_(None),
        or_(col(Record.author_id) == viewer.person_id, mine(viewer)),
    )


def _base() -> Select[Record, DueItem, Item]:
    return (
        select(Record, DueItem, Item)
        .join(DueItem, col(DueItem.id) == col(Record.due_item_id), isouter=True)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id), isouter=True)
        .join(Item, col(Item.id) == col(Holding.item_id), isouter=True)
    )


async def records_page(
    session: AsyncSession, *, viewer: Viewer, page: int, size: int = PAGE_SIZE
) -> RecordPage:
    """Page `page` (from 0) of the viewer's records, newest first; an out-of-range page shows
    the last one."""
    base = _base().where(*_visible(viewer))
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.exec(
            base.order_by(col(Record.recorded_at).desc(), col(Record.id).desc())
            .offset(page * size)
            .limit(size)
        )
    ).all()
    return RecordPage(await _views(session, rows), page, pages, total)


async def record_view(
    session: AsyncSession, *, viewer: Viewer, record_id: int
) -> RecordView | None:
    """One record the viewer may see (None: not theirs, an undo row, or no such record)."""
    rows = (await session.exec(_base().where(*_visible(viewer), col(Record.id) == record_id))).all()
    views = await _views(session, rows)
    return views[0] if views else None


async def _views(session: AsyncSession, rows) -> list[RecordView]:  # type: ignore[no-untyped-def]
    ids = [record.id for record, _d, _i in rows]
    # each record's chain forward (its correction, that one's …) and the undo rows: 撤销 of the
    # chain's newest row undoes the whole chain (records.writing.undo), so every row shows it
    fixes: dict[int, int] = {}
    voided: set[int] = set()
    frontier = [i for i in ids if i is not None]
    while frontier:
        later = (
            await session.exec(
                select(Record.id, Record.corrects_id, Record.voids_id).where(
                    or_(col(Record.corrects_id).in_(frontier), col(Record.voids_id).in_(frontier))
                )
            )
        ).all()
        frontier = []
        for row_id, corrects, voids in later:
            if voids is not None:
                voided.add(voids)
            if corrects is not None and row_id is not None and corrects not in fixes:
                fixes[corrects] = row_id
                frontier.append(row_id)

    def undone(record_id: int) -> bool:
        seen = record_id
        while True:
            if seen in voided:
                return True
            if seen not in fixes:
                return False
            seen = fixes[seen]

    views = []
    for record, due, item in rows:
        assert record.id is not None
        period = stored_period(due.period_key, due.period_start, due.period_end) if due else None
        views.append(
            RecordView(
                id=record.id,
                author_id=record.author_id,
                code=item.code if item else None,
                content=item.content if item else None,
                period=period,
                happened_on=record.happened_on,
                recorded_at=record.recorded_at,
                text=record.text,
                late_reason=record.late_reason,
                file_id=record.file_id,
                file_kind=record.file_kind,
                corrects_id=record.corrects_id,
                corrected_by=fixes.get(record.id),
                voided=undone(record.id),
                system=item.system if item else None,
            )
        )
    return views


@dataclass(frozen=True)
class Evidence:
    """A record's attached file and whose it is (for the web view's scope check)."""

    record_id: int
    unit_id: int
    author_id: int
    file_id: str
    file_kind: str | None


async def evidence_of(session: AsyncSession, *, record_id: int) -> Evidence | None:
    """The file attached to a record (None: no such record, or it has no file)."""
    record = await session.get(Record, record_id)
    if record is None or record.id is None or not record.file_id:
        return None
    return Evidence(record.id, record.unit_id, record.author_id, record.file_id, record.file_kind)
