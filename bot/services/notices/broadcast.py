"""通知: drafted by an admin, sent once to its audience through the outbox, then acknowledged (已阅)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.errors import DomainError
from bot.services.notices.audience import Audience, Reach, members, parse
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.plain_text import strip_controls
from storage.models import DraftState, Notice, NoticeReceipt, Outbox, ReplyKind

PRIORITY = 2  # after chat replies, before the reminders (3) and escalations (4)
MAX_FILE = 20 * 1024 * 1024  # what the Bot API lets a bot download: larger drafts are refused


class NoticeProblem(StrEnum):
    """Why a step on a notice was refused (bot.texts.notices words each one)."""

    NOT_FOUND = "not_found"  # no such notice, or another admin's draft
    SENT = "sent"  # already sent: nothing to change
    CANCELLED = "cancelled"
    NO_TEXT = "no_text"
    NO_AUDIENCE = "no_audience"
    EMPTY_AUDIENCE = "empty_audience"  # nobody bound in the chosen range
    TOO_MANY = "too_many"  # the choice no longer fits Notice.audience
    FILE_TOO_BIG = "file_too_big"


class NoticeRefused(DomainError):
    """A notice step refused: `problem` says why."""

    def __init__(self, problem: NoticeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Part:
    """One outbox row of a notice as it goes out: text (a caption when a file rides on it)."""

    text: str
    file_id: str | None = None
    file_kind: str | None = None


Compose = Callable[[Notice], list[Part]]  # the rows of one copy; the 已阅 button goes on the last
AckMarkup = Callable[[int], str]  # receipt id → reply_markup JSON with the 已阅 button


@dataclass(frozen=True)
class Sending:
    """The result of a confirm: how many copies were queued; `again` when it had been sent already."""

    notice_id: int
    total: int
    again: bool


async def start_draft(session: AsyncSession, *, author_id: int, now: datetime) -> Notice:
    """A new, empty draft (its id goes in the prompt the admin replies to)."""
    notice = Notice(
        author_id=author_id, text="", audience="", created_at=now, state=DraftState.DRAFT
    )
    session.add(notice)
    await session.flush()
    return notice


async def draft(session: AsyncSession, *, notice_id: int, author_id: int) -> Notice:
    """The author's draft still being composed; refused if sent, cancelled or not theirs."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.author_id != author_id:
        raise NoticeRefused(NoticeProblem.NOT_FOUND)
    if notice.state == DraftState.SUBMITTED:
        raise NoticeRefused(NoticeProblem.SENT)
    if notice.state == DraftState.CANCELLED:
        raise NoticeRefused(NoticeProblem.CANCELLED)
    return notice


async def fill_draft(
    session: AsyncSession,
    *,
    notice_id: int,
    author_id: int,
    text: str,
    file_id: str | None = None,
    file_kind: str | None = None,
    file_size: int | None = None,
) -> Notice:
    """The admin's reply to the prompt: its text (a caption; control characters stripped) and
    any file replace the draft's."""
    notice = await draft(session, notice_id=notice_id, author_id=author_id)
    if file_size is not None and file_size > MAX_FILE:
        raise NoticeRefused(NoticeProblem.FILE_TOO_BIG)
    text = strip_controls(text).strip()
    if text:
        notice.text = text
    if file_id is not None:
        notice.file_id, notice.file_kind = file_id, file_kind
    session.add(notice)
    await session.flush()
    return notice


async def choose(
    session: AsyncSession, *, notice_id: int, author_id: int, audience: Audience
) -> Notice:
    """Store the audience being chosen (multi-select state lives in the draft, restart-proof)."""
    notice = await draft(session, notice_id=notice_id, author_id=author_id)
    if not audience.fits():
        raise NoticeRefused(NoticeProblem.TOO_MANY)
    notice.audience = audience.encode()
    session.add(notice)
    await session.flush()
    return notice


async def reach_of(session: AsyncSession, notice: Notice) -> Reach:
    """Who the draft's audience names now (the author left out)."""
    audience = parse(notice.audience)
    if audience is None or audience.empty:
        return Reach([], [])
    return await members(session, audience=audience, exclude_person_id=notice.author_id)


async def preview(session: AsyncSession, *, notice_id: int, author_id: int) -> tuple[Notice, Reach]:
    """The draft and whom it would reach; refused if it has no text or nobody to receive it."""
    notice = await draft(session, notice_id=notice_id, author_id=author_id)
    if not notice.text:
        raise NoticeRefused(NoticeProblem.NO_TEXT)
    audience = parse(notice.audience)
    if audience is None or audience.empty:
        raise NoticeRefused(NoticeProblem.NO_AUDIENCE)
    reach = await reach_of(session, notice)
    if not reach.bound:
        raise NoticeRefused(NoticeProblem.EMPTY_AUDIENCE)
    return notice, reach


async def cancel(session: AsyncSession, *, notice_id: int, author_id: int) -> None:
    """取消: the draft is given up (a sent notice cannot be)."""
    await draft(session, notice_id=notice_id, author_id=author_id)
    await session.exec(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.state) == DraftState.DRAFT)
        .values(state=DraftState.CANCELLED)
    )
    await session.flush()


async def send(
    session: AsyncSession,
    *,
    notice_id: int,
    author_id: int,
    now: datetime,
    compose: Compose,
    ack_markup: AckMarkup,
    window: SendingWindow | None = None,
) -> Sending:
    """确认发送, exactly once: the draft moves to submitted by one conditional UPDATE, the first
    statement (it takes SQLite's write lock, PostgreSQL's row lock); only the caller that moved
    it writes the receipts and outbox rows, in the same transaction. A second press, or a second
    worker racing, finds it sent and queues nothing."""
    moved = await session.exec(
        update(Notice)
        .where(
            col(Notice.id) == notice_id,
            col(Notice.author_id) == author_id,
            col(Notice.state) == DraftState.DRAFT,
            col(Notice.text) != "",
        )
        .values(state=DraftState.SUBMITTED, sent_at=now)
    )
    if moved.rowcount != 1:
        notice = await session.get(Notice, notice_id)
        if notice is not None and notice.author_id == author_id:
            if notice.state == DraftState.SUBMITTED:
                return Sending(notice_id, await _copies(session, notice_id), again=True)
            if notice.state == DraftState.DRAFT:
                raise NoticeRefused(NoticeProblem.NO_TEXT)
        await draft(session, notice_id=notice_id, author_id=author_id)  # raises the reason
        raise NoticeRefused(NoticeProblem.NOT_FOUND)
    notice = await session.get(Notice, notice_id, populate_existing=True)
    assert notice is not None
    reach = await reach_of(session, notice)
    if not reach.bound:  # undo the move: the admin chooses again
        await session.exec(
            update(Notice)
            .where(col(Notice.id) == notice_id)
            .values(state=DraftState.DRAFT, sent_at=None)
        )
        audience = parse(notice.audience)
        empty = audience is None or audience.empty
        raise NoticeRefused(NoticeProblem.NO_AUDIENCE if empty else NoticeProblem.EMPTY_AUDIENCE)
    receipts = [NoticeReceipt(notice_id=notice_id, person_id=m.person_id) for m in reach.bound]
    session.add_all(receipts)
    await session.flush()
    chats = {m.person_id: m.telegram_id for m in reach.bound}
    await queue_copies(
        session,
        receipts=receipts,
        chats=chats,
        parts=compose(notice),
        ack_markup=ack_markup,
        key=f"notice:{notice_id}",
        now=now,
        not_before=await bulk_not_before(session, window=window, now=now),
    )
    return Sending(notice_id, len(receipts), again=False)


async def queue_copies(
    session: AsyncSession,
    *,
    receipts: Sequence[NoticeReceipt],
    chats: dict[int, int | None],
    parts: list[Part],
    ack_markup: AckMarkup,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> None:
    """One copy per receipt: rows `{key}:{person}` (first part), `…:{k}` (later parts, in order);
    the 已阅 button on the last; each receipt points at its first row."""
    messages: list[OutboxMessage] = []
    files: dict[str, tuple[str, str | None]] = {}
    for receipt in receipts:
        assert receipt.id is not None
        chat = chats.get(receipt.person_id)
        if chat is None:
            continue
        for index, part in enumerate(parts):
            dedupe = f"{key}:{receipt.person_id}" + (f":{index:02d}" if index else "")
            last = index == len(parts) - 1
            messages.append(
                OutboxMessage(
                    dedupe_key=dedupe,
                    chat_id=chat,
                    person_id=receipt.person_id,
                    text=part.text,
                    reply_markup=ack_markup(receipt.id) if last else None,
                    not_before=not_before or now,
                    kind="notice",
                    priority=PRIORITY,
                    invites=Invites(ReplyKind.NOTICE, receipt.person_id, ref_id=receipt.id),
                )
            )
            if part.file_id is not None:
                files[dedupe] = (part.file_id, part.file_kind)
    await enqueue(session, messages=messages, now=now)
    firsts = [f"{key}:{receipt.person_id}" for receipt in receipts]
    ids = dict(
        (
            await session.exec(
                select(Outbox.dedupe_key, Outbox.id).where(col(Outbox.dedupe_key).in_(firsts))
            )
        ).all()
    )
    for dedupe, (file_id, file_kind) in files.items():  # outbox.enqueue knows no files yet
        await session.exec(
            update(Outbox)
            .where(col(Outbox.dedupe_key) == dedupe)
            .values(file_id=file_id, file_kind=file_kind)
        )
    for receipt in receipts:
        receipt.outbox_id = ids.get(f"{key}:{receipt.person_id}")
        session.add(receipt)
    await session.flush()


async def _copies(session: AsyncSession, notice_id: int) -> int:
    rows = await session.exec(
        select(NoticeReceipt.id).where(col(NoticeReceipt.notice_id) == notice_id)
    )
    return len(rows.all())
