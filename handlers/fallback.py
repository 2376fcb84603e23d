"""Whatever no role router took: strangers, unknown commands, non-text content, stale buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.services.directory.binding import former_person
from bot.services.directory.identity import Viewer
from bot.telegram.notifier import Notifier
from bot.texts import binding as binding_texts
from handlers.filters import IsStranger


async def stranger(message: Message, session: AsyncSession, notifier: Notifier) -> None:
    """An unbound user: how to get bound; someone a later import deactivated: whom to ask."""
    former = None
    if message.from_user is not None:
        former = await former_person(session, telegram_id=message.from_user.id)
    await notifier.send(
        message.chat.id, texts.UNBOUND if former is None else binding_texts.deactivated(former)
    )


async def unknown_command(message: Message, notifier: Notifier) -> None:
    """A command the sender's roles don't have, or a typo."""
    await notifier.send(message.chat.id, texts.UNKNOWN_COMMAND)


async def not_text(message: Message, notifier: Notifier) -> None:
    """Stickers, voice, photos, locations …"""
    await notifier.send(message.chat.id, texts.NOT_TEXT)


async def stale_button(query: CallbackQuery, person: Viewer | None, session: AsyncSession) -> None:
    """A button no handler recognises (old message, changed version), pressed by a stranger, or
    by someone a later import deactivated (whom to ask, as when they write)."""
    if person is not None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    former = await former_person(session, telegram_id=query.from_user.id)
    said = texts.STRANGER_ALERT if former is None else binding_texts.deactivated(former)
    await query.answer(texts.alert(said), show_alert=True)


def build_router() -> Router:
    """The last router: whatever no role router took."""
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")
    router.message.register(stranger, IsStranger())
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(not_text)
    router.callback_query.register(stale_button)
    return router
