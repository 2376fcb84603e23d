"""Whatever no role router took: strangers, unknown commands, non-text content, stale buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.notify import Notifier
from bot.services.identity import Viewer
from handlers.filters import IsStranger


async def stranger(message: Message, notifier: Notifier) -> None:
    """An unbound user: how to get bound, and nothing else."""
    await notifier.send(message.chat.id, texts.UNBOUND)


async def unknown_command(message: Message, notifier: Notifier) -> None:
    """A command the sender's roles don't have, or a typo."""
    await notifier.send(message.chat.id, texts.UNKNOWN_COMMAND)


async def free_text(message: Message, person: Viewer, notifier: Notifier) -> None:
    """Plain text from a bound person (records arrive with the next issue)."""
    await notifier.send(message.chat.id, texts.FREE_TEXT)


async def document(message: Message, notifier: Notifier) -> None:
    """A file from someone who may not import."""
    await notifier.send(message.chat.id, texts.NOT_ADMIN_FILE)


async def not_text(message: Message, notifier: Notifier) -> None:
    """Stickers, voice, photos, locations …"""
    await notifier.send(message.chat.id, texts.NOT_TEXT)


async def stale_button(query: CallbackQuery, person: Viewer | None) -> None:
    """A button no handler recognises (old message, changed version) or pressed by a stranger."""
    await query.answer(texts.STALE_BUTTON if person else texts.STRANGER_ALERT, show_alert=True)


def build_router() -> Router:
    """The last router: whatever no role router took."""
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")
    router.message.register(stranger, IsStranger())
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(free_text, F.text)
    router.message.register(document, F.document)
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router
