"""Filters for replies to the bot's own messages: what the replied-to message means, as stored."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.replies import Meaning, ReplyKind, meaning_of


class RepliesToBot(Filter):
    """The message replies to one of this bot's own messages: gives `meaning`, what a reply to
    that message means as stored when it was sent (None: it takes no reply)."""

    async def __call__(self, message: Message, session: AsyncSession) -> bool | dict[str, object]:
        original = message.reply_to_message
        if original is None or original.from_user is None or message.bot is None:
            return False
        if original.from_user.id != message.bot.id:
            return False
        meaning = await meaning_of(session, chat_id=message.chat.id, message_id=original.message_id)
        return {"meaning": meaning}


class Invites(Filter):
    """A reply whose stored meaning is one of `kinds` and invites this person's reply."""

    def __init__(self, *kinds: ReplyKind) -> None:
        self.kinds = frozenset(kinds)

    async def __call__(
        self, message: Message, meaning: Meaning | None, person: Viewer | None
    ) -> bool:
        return (
            meaning is not None
            and person is not None
            and meaning.kind in self.kinds
            and meaning.person_id == person.person_id
        )
