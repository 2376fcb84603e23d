"""Messages recording must not take as typed: a forwarded message."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.telegram.notifier import Notifier
from bot.texts import incoming as words
from handlers.filters import IsBound

GROUPS = {"group", "supergroup"}


async def on_forwarded(message: Message, notifier: Notifier) -> None:
    """A forwarded message in a private chat: someone else's words, not the sender's record."""
    await notifier.send(message.chat.id, words.FORWARDED, reply_to=message.message_id)


async def ignore(message: Message) -> None:
    """A forwarded message in a group: not the bot's business."""


def build_router() -> Router:
    """Forwarded messages, before recording sees them (admins' forwarded workbooks and notices
    were taken by their routers earlier)."""
    router = Router(name="incoming")
    forwarded = F.forward_origin.is_not(None)
    router.message.register(on_forwarded, forwarded, F.chat.type == "private", IsBound())
    router.message.register(ignore, forwarded, F.chat.type.in_(GROUPS))
    return router
