"""Messages recording must not take as typed: an edit of a sent message, a forwarded message."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.records import edits
from bot.services.records.matcher import Matcher
from bot.telegram.notifier import Notifier
from bot.texts import incoming as words
from bot.texts import records as record_texts
from handlers.filters import IsBound
from handlers.proposals import render_proposed
from handlers.recording import source_of

GROUPS = {"group", "supergroup"}


async def on_edit(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    matcher: Matcher,
) -> None:
    """An edited message: its open proposal follows the edit (answered with the new one); one
    recorded already is said to keep its words (in private chats only); else silence."""
    result = await edits.follow_edit(
        session,
        matcher=matcher,
        viewer=person,
        text=message.text or message.caption,
        source=source_of(message),
        now=clock.now(),
        zone=zone,
        fresh=message.chat.type not in GROUPS,  # group chatter edited stays the group's
    )
    chat, markup = message.chat.id, None
    if result is None:
        return
    if isinstance(result, edits.Kept):
        if message.chat.type in GROUPS:
            return  # nothing changed: a group hears nothing
        text = words.edit_kept(result.record_ids)
    elif result.proposed is not None:
        said, markup = render_proposed(result.proposed, zone)
        text = f"{words.EDIT_REPLACED}\n\n{said}" if result.replaced else said
    else:
        assert result.refused is not None
        text = f"{words.EDIT_REPLACED}\n\n{record_texts.refused(result.refused)}"
    await notifier.send(chat, text, reply_markup=markup, reply_to=message.message_id)


async def on_forwarded(message: Message, notifier: Notifier) -> None:
    """A forwarded message in a private chat: someone else's words, not the sender's record."""
    await notifier.send(message.chat.id, words.FORWARDED, reply_to=message.message_id)


async def ignore(message: Message) -> None:
    """A forwarded message in a group: not the bot's business."""


def build_router() -> Router:
    """Edited messages (any chat, bound senders), and forwarded messages before recording sees
    them (admins' forwarded workbooks and notices were taken by their routers earlier)."""
    router = Router(name="incoming")
    content = F.text | F.photo | F.document
    router.edited_message.register(on_edit, IsBound(), content, ~F.text.startswith("/"))
    forwarded = F.forward_origin.is_not(None)
    router.message.register(on_forwarded, forwarded, F.chat.type == "private", IsBound())
    router.message.register(ignore, forwarded, F.chat.type.in_(GROUPS))
    return router
