"""What a reply to one of the bot's messages means: stored with the message, never read from its text.

A message that invites a reply (a reminder or 催办 naming due items, an item card, a late
record's confirmation, a correction or date prompt, a notice's copy) gets a ReplyMeaning row:
sent directly, by (chat, message id) through `remember`; queued, through the outbox
(`outbox.Invites`), found by the outbox row's telegram_message_id. A reply to any other bot
message has no meaning here and never records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox, ReplyKind, ReplyMeaning

__all__ = ["Meaning", "ReplyKind", "meaning_of", "remember"]

# a reply to these names due items: it may record one of them
RECORDING = frozenset({ReplyKind.REMINDER, ReplyKind.NUDGE, ReplyKind.ITEM_CARD})


_SESSION_MEMO = "bot.services.replies.meanings"


@dataclass(frozen=True)
class Meaning:
    """What a reply to one bot message means, for whom."""

    kind: ReplyKind
    person_id: int
    due_item_ids: tuple[int, ...]
    ref_id: int | None

    @property
    def records(self) -> bool:
        """A reply to it may record one of the due items it names."""
        return self.kind in RECORDING

    @classmethod
    def of(cls, row: ReplyMeaning) -> Meaning:
        items = tuple(int(part) for part in row.due_item_ids.split(",") if part)
        return cls(row.kind, row.person_id, items, row.ref_id)


async def remember(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    kind: ReplyKind,
    person_id: int,
    now: datetime,
    due_item_ids: Iterable[int] = (),
    ref_id: int | None = None,
) -> None:
    """Store what a reply to a message just sent means; no commit. Stored once per message (a
    second call for the same message, e.g. a redelivered update, changes nothing)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {
        "chat_id": chat_id,
        "message_id": message_id,
        "kind": kind,
        "person_id": person_id,
        "due_item_ids": ",".join(map(str, due_item_ids)),
        "ref_id": ref_id,
        "created_at": now,
    }
    statement = (
        insert(ReplyMeaning)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )
    await session.exec(statement)
    session.info.get(_SESSION_MEMO, {}).pop((chat_id, message_id), None)


async def meaning_of(session: AsyncSession, *, chat_id: int, message_id: int) -> Meaning | None:
    """What a reply to the bot's message `message_id` in `chat_id` means (None: nothing).

    Read once per session: every router that takes replies asks it of the same update (its
    RepliesToBot filter), up to eight times for a reply that reaches the last router."""
    memo: dict[tuple[int, int], Meaning | None] = session.info.setdefault(_SESSION_MEMO, {})
    key = (chat_id, message_id)
    if key not in memo:
        memo[key] = await _read_meaning(session, chat_id=chat_id, message_id=message_id)
    return memo[key]


async def _read_meaning(session: AsyncSession, *, chat_id: int, message_id: int) -> Meaning | None:
    row = (
        await session.exec(
            select(ReplyMeaning).where(
                col(ReplyMeaning.chat_id) == chat_id, col(ReplyMeaning.message_id) == message_id
            )
        )
    ).first()
    if row is None:
        row = (
            await session.exec(
                select(ReplyMeaning)
                .join(Outbox, col(Outbox.id) == col(ReplyMeaning.outbox_id))
                .where(
                    col(Outbox.chat_id) == chat_id, col(Outbox.telegram_message_id) == message_id
                )
            )
        ).first()
    return None if row is None else Meaning.of(row)
