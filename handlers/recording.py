"""Officials record what they did: a reply to the bot, a plain sentence, a photo or a file."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordRefused
from bot.services.records import proposals as recording
from bot.services.records import replying
from bot.services.records.input_text import clean_text
from bot.services.records.matcher import Matcher
from bot.services.records.proposals import Recorded
from bot.services.records.storing import Proposed, Source
from bot.services.replies import Meaning, ReplyKind
from bot.telegram.notifier import Notifier
from bot.texts import records as record_words
from handlers.filters import IsBound
from handlers.proposals import render_proposed, render_recorded
from handlers.replies import Invites, RepliesToBot


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


def _private(message: Message) -> bool:
    return message.chat.type == "private"


async def _answer(
    message: Message, notifier: Notifier, result: Recorded | Proposed, zone: ZoneInfo
) -> None:
    """Recorded: said where it was sent. Anything else in a group goes to the sender's private
    chat when it asks them something (a proposal), and is not said at all otherwise."""
    if isinstance(result, Recorded):
        text, markup = render_recorded([result])
        await notifier.send(message.chat.id, text, reply_markup=markup, reply_to=message.message_id)
        return
    text, markup = render_proposed(result, zone)
    if _private(message):
        await notifier.send(message.chat.id, text, reply_markup=markup, reply_to=message.message_id)
    elif result.proposals and message.from_user is not None:
        await notifier.send(message.from_user.id, text, reply_markup=markup)


async def on_sentence(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    matcher: Matcher,
) -> None:
    """A plain sentence, photo or file in private chat: matched among the sender's items and
    proposed (确认 / 改选 / 取消); nothing is recorded before 确认."""
    text, source = _content(message)
    now = clock.now()
    result = await recording.propose(
        session, matcher=matcher, viewer=person, text=text, source=source, now=now, zone=zone
    )
    await _answer(message, notifier, result, zone)


async def on_item_reply(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    matcher: Matcher,
) -> None:
    """A reply to a reminder, 催办 or item card: a sure completion of an item it names is
    recorded at once; anything less sure is proposed; anything else says why nothing was."""
    now = clock.now()
    try:
        text, source = _content(message)
        result = await replying.record_reply(
            session,
            matcher=matcher,
            viewer=person,
            meaning=meaning,
            text=text,
            source=source,
            now=now,
            zone=zone,
        )
    except RecordRefused:
        if _private(message):
            raise
        return  # in a group: silent unless something was recorded or asked
    await _answer(message, notifier, result, zone)


async def on_other_reply(message: Message, meaning: Meaning | None, notifier: Notifier) -> None:
    """A reply to a bot message that takes none (a confirmation, a list, a digest, someone
    else's message): never a record; said in private chat, silent in a group."""
    if _private(message):
        await notifier.send(message.chat.id, record_words.NOT_INVITED, reply_to=message.message_id)


async def on_group_stranger(message: Message, notifier: Notifier) -> None:
    """Someone unbound replied to the bot in a group."""
    await notifier.send(message.chat.id, texts.STRANGER_ALERT, reply_to=message.message_id)


def build_router() -> Router:
    """Replies to the bot (private chats and groups) and plain sentences, photos and files in
    private chats; the proposals' and undo buttons live in handlers.proposals. Replies to
    notices, 更正 and date prompts are taken by earlier routers (their stored meaning)."""
    router = Router(name="recording")
    replying_ = RepliesToBot()
    content = F.text | F.photo | F.document
    not_command = ~F.text.startswith("/")
    items = Invites(ReplyKind.REMINDER, ReplyKind.NUDGE, ReplyKind.ITEM_CARD)
    router.message.register(on_item_reply, replying_, IsBound(), items, content, not_command)
    router.message.register(
        on_group_stranger, replying_, F.chat.type.in_({"group", "supergroup"}), ~IsBound()
    )
    router.message.register(on_other_reply, replying_, IsBound(), content, not_command)
    private = F.chat.type == "private"
    router.message.register(on_sentence, private, IsBound(), F.text, not_command)
    router.message.register(on_sentence, private, IsBound(), F.photo | F.document)
    return router
