"""The outbox: messages queued once by their dedupe key, claimed by one sender, marked as each send ends.

pending → sending (claimed) → sent, or failed with the reason kept; a 429, a 5xx or a network
error puts the row back to pending with a later not_before (for as long as Telegram is away). A row left in `sending` by a crash goes back to pending
when the sender starts: after a SIGKILL at most the messages that were in flight go out twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox, OutboxState, Person, ReplyKind, ReplyMeaning, UTCDateTime

_CHUNK = 500  # rows per INSERT: well under SQLite's 32,766 bound parameters
STALE_CLAIM = timedelta(minutes=10)  # a claim this old is no longer in flight anywhere


@dataclass(frozen=True)
class Invites:
    """What a reply to a queued message means (see storage.models.ReplyMeaning)."""

    kind: ReplyKind
    person_id: int
    due_item_ids: tuple[int, ...] = ()
    ref_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    """One message to queue; its dedupe_key says what it is (e.g. reminder:{holding}:{period}:{step})."""

    dedupe_key: str
    chat_id: int
    person_id: int | None
    text: str
    reply_markup: str | None = None  # JSON of an InlineKeyboardMarkup
    not_before: datetime
    kind: str
    priority: int = 5  # 0 first
    invites: Invites | None = None  # a reply to it means this; None: a reply never records


async def enqueue(
    session: AsyncSession, *, messages: Sequence[OutboxMessage], now: datetime
) -> int:
    """Queue the messages whose dedupe key is new; no commit (the caller's transaction decides).

    Idempotent under concurrency: INSERT … ON CONFLICT (dedupe_key) DO NOTHING; rows go in key
    order so two transactions queueing the same keys cannot deadlock on PostgreSQL.
    Returns how many rows were new.
    """
    rows = [_row(message, now) for message in sorted(messages, key=lambda m: m.dedupe_key)]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    invites = {m.dedupe_key: m for m in messages if m.invites is not None}
    added = 0
    # one statement, executed for many rows (compiled once: a multi-row VALUES of 8,000 rows
    # took SQLAlchemy 13 s to compile); RETURNING names the rows that were new
    statement = (
        insert(Outbox)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(Outbox.id), col(Outbox.dedupe_key))
    )
    for start in range(0, len(rows), _CHUNK):
        new = (await session.exec(statement, params=rows[start : start + _CHUNK])).all()
        added += len(new)
        meanings = [
            _meaning(invites[key], outbox_id, now) for outbox_id, key in new if key in invites
        ]
        if meanings:
            await session.exec(sa_insert(ReplyMeaning), params=meanings)
    return added


def _meaning(message: OutboxMessage, outbox_id: int, now: datetime) -> dict[str, Any]:
    invites = message.invites
    assert invites is not None
    return {
        "chat_id": message.chat_id,
        "outbox_id": outbox_id,
        "message_id": None,
        "kind": invites.kind,
        "person_id": invites.person_id,
        "due_item_ids": ",".join(map(str, invites.due_item_ids)),
        "ref_id": invites.ref_id,
        "created_at": now,
    }


def _row(message: OutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": message.dedupe_key,
        "kind": message.kind,
        "priority": message.priority,
        "state": OutboxState.PENDING,
        "chat_id": message.chat_id,
        "person_id": message.person_id,
        "text": message.text,
        "reply_markup": message.reply_markup,
        "not_before": message.not_before,
        "created_at": now,
        "attempts": 0,
    }


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[Outbox]:
    """Mark up to `limit` due rows (pending, not_before ≤ now) as sending and return them; commits.

    Most urgent first (priority, then queue order). On PostgreSQL the rows are first locked with
    `FOR UPDATE SKIP LOCKED`, so two senders claim side by side; on SQLite the one UPDATE holds
    the write lock. Either way a row must still be pending when it is updated: never claimed twice.
    """
    due = (
        select(col(Outbox.id))
        .where(col(Outbox.state) == OutboxState.PENDING, col(Outbox.not_before) <= now)
        .order_by(col(Outbox.priority), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # a separate statement: inside UPDATE … WHERE id IN (…) PostgreSQL may run the locking
        # subquery again for rows it re-checks, and claim more than `limit`
        ids = list((await session.exec(due.with_for_update(skip_locked=True))).all())
        if not ids:
            await session.commit()
            return []
        chosen = col(Outbox.id).in_(ids)
    else:
        chosen = col(Outbox.id).in_(due.scalar_subquery())
    statement = (
        update(Outbox)
        .where(chosen, col(Outbox.state) == OutboxState.PENDING)
        .values(state=OutboxState.SENDING, claimed_at=now)
        .returning(Outbox)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list((await session.exec(statement)).scalars().all())
    await session.commit()
    return sorted(rows, key=lambda row: (row.priority, row.id or 0))


async def mark_sent(
    session: AsyncSession, *, outbox_id: int, message_id: int | None, now: datetime
) -> None:
    """Telegram accepted the row: sent, with its message id; commits at once."""
    await session.exec(
        update(Outbox)
        .where(col(Outbox.id) == outbox_id)
        .values(
            state=OutboxState.SENT,
            sent_at=now,
            telegram_message_id=message_id,
            attempts=col(Outbox.attempts) + 1,
            last_error=None,
        )
    )
    await session.commit()


async def mark_failed(
    session: AsyncSession,
    *,
    outbox_id: int,
    reason: str,
    now: datetime,
    retry_at: datetime | None = None,
    attempt: bool = True,
) -> None:
    """A send did not succeed; with retry_at the row waits (pending) until then, else it failed.

    attempt=False: Telegram only asked to wait (429); the row's attempts, which set its backoff
    after a failure, stay as they were.
    """
    values: dict[str, Any] = {"last_error": reason[:2000]}
    if attempt:
        values["attempts"] = col(Outbox.attempts) + 1
    if retry_at is not None:
        values.update(state=OutboxState.PENDING, not_before=retry_at, claimed_at=None)
    else:
        values.update(state=OutboxState.FAILED, failed_at=now)
    await session.exec(update(Outbox).where(col(Outbox.id) == outbox_id).values(**values))
    await session.commit()


async def mark_unreachable(session: AsyncSession, *, person_id: int, now: datetime) -> None:
    """Telegram answered 403 for this person's chat: remember since when (kept if already set)."""
    await session.exec(
        update(Person)
        .where(col(Person.id) == person_id)
        .values(unreachable_at=func.coalesce(col(Person.unreachable_at), literal(now, UTCDateTime)))
    )
    await session.commit()


async def recover_sending(
    session: AsyncSession, *, now: datetime, claimed_before: datetime | None = None
) -> int:
    """Rows left in sending (a crash, a kill) go back to pending; returns how many. Commits.

    At start the sender recovers every such row (it is the only sender); `claimed_before`
    recovers only claims older than that instant (a `tick` process that died mid-way).
    """
    statement = update(Outbox).where(col(Outbox.state) == OutboxState.SENDING)
    if claimed_before is not None:
        statement = statement.where(col(Outbox.claimed_at) < claimed_before)
    result = await session.exec(statement.values(state=OutboxState.PENDING, claimed_at=None))
    await session.commit()
    return int(result.rowcount or 0)


async def unreachable_since(session: AsyncSession, *, since: datetime) -> dict[int, list[Person]]:
    """People marked unreachable at or after `since`, by unit id (for the 联络员's digest)."""
    people = await session.exec(
        select(Person)
        .where(col(Person.unreachable_at) >= since, col(Person.active))
        .order_by(col(Person.unit_id), col(Person.code))
    )
    by_unit: dict[int, list[Person]] = {}
    for person in people:
        by_unit.setdefault(person.unit_id, []).append(person)
    return by_unit


async def pending_count(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Rows still to send (due by `now` when given): for `tick` and the chat mode."""
    statement = select(func.count()).select_from(Outbox)
    statement = statement.where(col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING]))
    if now is not None:
        statement = statement.where(col(Outbox.not_before) <= now)
    return int((await session.exec(statement)).one())


async def postpone(session: AsyncSession, *, outbox_ids: Sequence[int], until: datetime) -> int:
    """Claimed rows that may not go out yet (outside the sending window) wait, pending, until
    `until`; not an attempt. Returns how many; commits."""
    if not outbox_ids:
        return 0
    result = await session.exec(
        update(Outbox)
        .where(col(Outbox.id).in_(outbox_ids), col(Outbox.state) == OutboxState.SENDING)
        .values(state=OutboxState.PENDING, not_before=until, claimed_at=None)
    )
    await session.commit()
    return int(result.rowcount or 0)


async def drop(
    session: AsyncSession, *, outbox_ids: Sequence[int], reason: str, now: datetime
) -> int:
    """Claimed rows not to send after all (moot by delivery): dropped, the reason kept; commits."""
    if not outbox_ids:
        return 0
    result = await session.exec(
        update(Outbox)
        .where(col(Outbox.id).in_(outbox_ids), col(Outbox.state) == OutboxState.SENDING)
        .values(state=OutboxState.DROPPED, failed_at=now, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount or 0


@dataclass(frozen=True)
class Backlog:
    """What waits in the outbox: rows not yet sent, those due now, and how late the oldest due one is."""

    waiting: int
    due: int
    oldest_due_seconds: float


async def backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """The outbox's depth for /healthz and /metrics: one aggregate query over the unsent rows."""
    unsent = col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING])
    is_due = col(Outbox.not_before) <= now
    row = (
        await session.exec(
            select(
                func.count(),
                func.count().filter(is_due),
                func.min(Outbox.not_before).filter(is_due),
            ).where(unsent)
        )
    ).one()
    waiting, due, oldest = int(row[0]), int(row[1]), row[2]
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(waiting=waiting, due=due, oldest_due_seconds=age)
