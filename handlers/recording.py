"""Officials record what they did: a reply to the bot, a plain sentence, a photo or a file."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.records import proposals as recording
from bot.services.records.input_text import clean_text
from bot.services.records.matcher import Matcher
from bot.services.records.proposals import Proposed, Recorded, Source
from bot.telegram.notifier import Notifier
from handlers.filters import IsBound
from handlers.proposals import render_proposed, render_recorded


class RepliesToBot(Filter):
    """The message replies to one of this bot's own messages (gives `replied`: its text)."""

    async def __call__(self, message: Message) -> bool | dict[str, str]:
        original = message.reply_to_message
        if original is None or original.from_user is None or message.bot is None:
            return False
        if original.from_user.id != message.bot.id:
            return False
        return {"replied": original.text or original.caption or ""}


def source_of(message: Message) -> Source:
    """Where the sentence came from, and the evidence it carries (the largest photo size)."""
    file_id = kind = None
    if message.photo:
        file_id, kind = message.photo[-1].file_id, "photo"
    elif message.document:
        file_id, kind = message.document.file_id, "document"
    return Source(message.chat.id, message.message_id, message.date, file_id, kind)


def _content(message: Message) -> tuple[str, Source]:
    """The text as stored (refused when empty, unless evidence comes with it) and its source."""
    source = source_of(message)
    text = clean_text(message.text or message.caption, allow_empty=source.file_id is not None)
    return text, source


async def _answer(
    message: Message, notifier: Notifier, result: Recorded | Proposed, zone: ZoneInfo
) -> None:
    if isinstance(result, Recorded):
        text, markup = render_recorded([result])
    else:
        text, markup = render_proposed(result, zone)
    await notifier.send(message.chat.id, text, reply_markup=markup, reply_to=message.message_id)


async def on_content(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    matcher: Matcher,
    replied: str | None = None,
) -> None:
    """A reply to a bot message (`replied`: its text) records the one item it names at once, or
    is matched among the items it names; a plain sentence, photo or file is matched among the
    sender's items and proposed."""
    text, source = _content(message)
    now = clock.now()
    result: Recorded | Proposed
    if replied is None:
        result = await recording.propose(
            session, matcher=matcher, viewer=person, text=text, source=source, now=now, zone=zone
        )
    else:
        result = await recording.record_reply(
            session,
            matcher=matcher,
            viewer=person,
            replied_text=replied,
            text=text,
            source=source,
            now=now,
            zone=zone,
        )
    await _answer(message, notifier, result, zone)


async def on_group_stranger(message: Message, notifier: Notifier) -> None:
    """Someone unbound replied to the bot in a group."""
    await notifier.send(message.chat.id, texts.STRANGER_ALERT, reply_to=message.message_id)


def build_router() -> Router:
    """Replies to the bot (private chats and groups) and plain sentences, photos and files in
    private chats; the proposals' and undo buttons live in handlers.proposals."""
    router = Router(name="recording")
    replying = RepliesToBot()
    content = F.text | F.photo | F.document
    router.message.register(on_content, replying, IsBound(), content, ~F.text.startswith("/"))
    router.message.register(
        on_group_stranger, replying, F.chat.type.in_({"group", "supergroup"}), ~IsBound()
    )
    private = F.chat.type == "private"
    router.message.register(on_content, private, IsBound(), F.text, ~F.text.startswith("/"))
    router.message.register(on_content, private, IsBound(), F.photo | F.document)
    return router
