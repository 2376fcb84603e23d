"""How notices went out: 已阅 pressed, sent / failed / 已阅 counts, who has not read, reminding them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.directory.recipients import acting_today
from bot.services.notices.broadcast import PRIORITY, AckMarkup, NoticeProblem, NoticeRefused
from bot.services.outbox import OutboxMessage, enqueue
from storage.models import DraftState, Notice, NoticeReceipt, Outbox, OutboxState, Person, Unit

PAGE = 10


@dataclass(frozen=True)
class Counts:
    """One notice's copies by the state of their (first) outbox row, and how many were read."""

    total: int = 0
    sent: int = 0
    failed: int = 0
    acknowledged: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.failed


@dataclass(frozen=True)
class NoticeStats:
    """A sent notice with its counts (for /notices)."""

    notice: Notice
    counts: Counts


@dataclass(frozen=True)
class Unread:
    """Someone who has not pressed 已阅: whether their copy reached them."""

    person_id: int
    code: str
    name: str
    telegram_id: int | None
    state: OutboxState | None


@dataclass(frozen=True)
class NoticeDetail:
    """A notice, its counts, and who has not acknowledged, by unit name (unit order)."""

    stats: NoticeStats
    unread: list[tuple[str, list[Unread]]]


async def counts(session: AsyncSession, *, notice_ids: list[int]) -> dict[int, Counts]:
    """Counts of each notice (restart-proof: read from the receipts and the outbox)."""
    statement = (
        select(
            col(NoticeReceipt.notice_id),
            col(Outbox.state),
            func.count(col(NoticeReceipt.id)),
            func.count(col(NoticeReceipt.acknowledged_at)),
        )
        .join(Outbox, col(Outbox.id) == col(NoticeReceipt.outbox_id), isouter=True)
        .where(col(NoticeReceipt.notice_id).in_(notice_ids))
        .group_by(col(NoticeReceipt.notice_id), col(Outbox.state))
    )
    found: dict[int, Counts] = {}
    for notice_id, state, copies, read in (await session.exec(statement)).all():
        was = found.get(notice_id, Counts())
        found[notice_id] = Counts(
            was.total + copies,
            was.sent + (copies if state == OutboxState.SENT else 0),
            was.failed + (copies if state == OutboxState.FAILED else 0),
            was.acknowledged + read,
        )
    return found


async def recent(session: AsyncSession, *, page: int = 0) -> tuple[list[NoticeStats], bool]:
    """Sent notices, newest first, PAGE at a time; second value: there are older ones."""
    rows = (
        await session.exec(
            select(Notice)
            .where(col(Notice.state) == DraftState.SUBMITTED)
            .order_by(col(Notice.sent_at).desc(), col(Notice.id).desc())
            .offset(page * PAGE)
            .limit(PAGE + 1)
        )
    ).all()
    shown = list(rows[:PAGE])
    found = await counts(session, notice_ids=[n.id for n in shown if n.id is not None])
    stats = [NoticeStats(n, found.get(n.id or 0, Counts())) for n in shown]
    return stats, len(rows) > PAGE


async def detail(session: AsyncSession, *, notice_id: int) -> NoticeDetail:
    """One sent notice and its unacknowledged recipients by unit."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.state != DraftState.SUBMITTED:
        raise NoticeRefused(NoticeProblem.NOT_FOUND)
    found = await counts(session, notice_ids=[notice_id])
    rows = await session.exec(
        select(Person, Unit.name, Outbox.state)
        .join(NoticeReceipt, col(NoticeReceipt.person_id) == col(Person.id))
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .join(Outbox, col(Outbox.id) == col(NoticeReceipt.outbox_id), isouter=True)
        .where(
            col(NoticeReceipt.notice_id) == notice_id,
            col(NoticeReceipt.acknowledged_at).is_(None),
        )
        .order_by(col(Unit.code), col(Person.code))
    )
    by_unit: dict[str, list[Unread]] = {}
    for person, unit_name, state in rows.all():
        assert person.id is not None
        outbox_state = OutboxState(state) if state is not None else None
        unread = Unread(person.id, person.code, person.name, person.telegram_id, outbox_state)
        by_unit.setdefault(unit_name, []).append(unread)
    stats = NoticeStats(notice, found.get(notice_id, Counts()))
    return NoticeDetail(stats, list(by_unit.items()))


@dataclass(frozen=True)
class Reminded:
    """提醒未阅人员: how many were queued now; how many had been reminded today already."""

    queued: int
    earlier_today: int
    away: int = 0  # on leave today: reminded to read when back


async def remind_unread(
    session: AsyncSession,
    *,
    notice_id: int,
    now: datetime,
    zone: ZoneInfo,
    render: Callable[[Notice], str],
    ack_markup: AckMarkup,
    window: SendingWindow | None = None,
) -> Reminded:
    """A reminder with the 已阅 button to each bound person who has not acknowledged; at most one
    per person per day (the outbox key holds the local date)."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.state != DraftState.SUBMITTED:
        raise NoticeRefused(NoticeProblem.NOT_FOUND)
    rows = await session.exec(
        select(NoticeReceipt.id, Person.id, Person.telegram_id)
        .join(Person, col(Person.id) == col(NoticeReceipt.person_id))
        .where(
            col(NoticeReceipt.notice_id) == notice_id,
            col(NoticeReceipt.acknowledged_at).is_(None),
            col(Person.active).is_(True),
            col(Person.telegram_id).is_not(None),
        )
    )
    day = local_date(now, zone).isoformat()
    on_leave = await acting_today(session, today=local_date(now, zone))
    found = rows.all()
    unread = [row for row in found if row[1] not in on_leave]  # away: reminded when back
    text = render(notice)
    not_before = await bulk_not_before(session, window=window, now=now)
    messages = [
        OutboxMessage(
            dedupe_key=f"notice-remind:{notice_id}:{person_id}:{day}",
            chat_id=telegram_id,
            person_id=person_id,
            text=text,
            reply_markup=ack_markup(receipt_id),
            not_before=not_before,
            kind="notice",
            priority=PRIORITY,
        )
        for receipt_id, person_id, telegram_id in unread
        if receipt_id is not None and person_id is not None and telegram_id is not None
    ]
    queued = await enqueue(session, messages=messages, now=now)
    await session.flush()  # the update's pending claim too: the reply's release then commits
    return Reminded(queued, len(messages) - queued, len(found) - len(unread))


class Ack(StrEnum):
    """What a 已阅 press did."""

    DONE = "done"
    AGAIN = "again"
    NOT_YOURS = "not_yours"


async def acknowledge(
    session: AsyncSession, *, receipt_id: int, person_id: int, now: datetime
) -> Ack:
    """已阅: the presser's own receipt is stamped once; another's (a forged button) is refused."""
    stamped = await session.exec(
        update(NoticeReceipt)
        .where(
            col(NoticeReceipt.id) == receipt_id,
            col(NoticeReceipt.person_id) == person_id,
            col(NoticeReceipt.acknowledged_at).is_(None),
        )
        .values(acknowledged_at=now)
    )
    await session.flush()  # sessions don't autoflush: a Core-only write must not look like none
    if stamped.rowcount == 1:
        return Ack.DONE
    receipt = await session.get(NoticeReceipt, receipt_id)
    if receipt is None or receipt.person_id != person_id:
        return Ack.NOT_YOURS
    return Ack.AGAIN
