"""Admins: /broadcast starts a notice draft; the reply to its prompt fills it (text, file or photo)."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.notices import broadcast as notices
from bot.services.notices.broadcast import NoticeRefused
from bot.telegram.notifier import Notifier
from bot.texts import notices as words
from handlers.filters import private_router
from storage.models import Role


class Nt(CallbackData, prefix="nt"):
    """A button of the notice flow: `act` on notice `id` with value `v` (kind, index, unit id)."""

    act: str
    id: int = 0
    v: str = ""
    p: int = 0  # page


class DraftReply(Filter):
    """A reply (text, document or photo) to the bot's "通知草稿 #N" prompt: gives draft_id."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        original = message.reply_to_message
        if original is None or original.from_user is None or not original.from_user.is_bot:
            return False
        match = words.DRAFT_MARK.match(original.text or "")
        if match is None or (message.text or "").startswith("/"):
            return False
        return {"draft_id": int(match.group(1))}


def kinds(notice_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for kind, label in words.KIND_LABELS.items():
        kb.button(text=label, callback_data=Nt(act="kind", id=notice_id, v=kind))
    kb.button(text=words.CANCEL, callback_data=Nt(act="cancel", id=notice_id))
    kb.adjust(4, 1)
    return kb.as_markup()


def _buttons(markup: InlineKeyboardMarkup | None) -> list[tuple[str, str | None]]:
    rows = markup.inline_keyboard if markup else []
    return [(button.text, button.callback_data) for row in rows for button in row]


async def show(
    query: CallbackQuery, notifier: Notifier, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace the pressed message (the flow stays in one message); a new one if it is gone."""
    message = query.message
    if isinstance(message, Message):
        if message.text == texts.plain(text) and _buttons(message.reply_markup) == _buttons(markup):
            return  # nothing changed (刷新进度 with no progress): Telegram would refuse the edit
        await notifier.edit(message.chat.id, message.message_id, text, reply_markup=markup)
    else:
        await notifier.send(query.from_user.id, text, reply_markup=markup)


async def broadcast(
    message: Message, person: Viewer, session: AsyncSession, clock: Clock, notifier: Notifier
) -> None:
    """/broadcast — a new draft; the admin replies to the prompt with the text (and a file)."""
    notice = await notices.start_draft(session, author_id=person.person_id, now=clock.now())
    prompt = words.BROADCAST_ASK.format(id=notice.id)
    markup = ForceReply(force_reply=True, input_field_placeholder="通知正文")
    await notifier.send(message.chat.id, prompt, reply_markup=markup)


async def draft_reply(
    message: Message, draft_id: int, person: Viewer, session: AsyncSession, notifier: Notifier
) -> None:
    """The reply to a draft prompt: its text, or a file with its caption, fill the draft."""
    file_id = file_kind = None
    size: int | None = None
    if message.document is not None:
        file_id, file_kind, size = message.document.file_id, "document", message.document.file_size
    elif message.photo:
        largest = message.photo[-1]
        file_id, file_kind, size = largest.file_id, "photo", largest.file_size
    elif not message.text:
        await notifier.send(message.chat.id, words.refused(notices.NoticeProblem.NO_TEXT))
        return
    try:
        notice = await notices.fill_draft(
            session,
            notice_id=draft_id,
            author_id=person.person_id,
            text=message.text or message.caption or "",
            file_id=file_id,
            file_kind=file_kind,
            file_size=size,
        )
    except NoticeRefused as error:
        await notifier.send(message.chat.id, words.refused(error.problem))
        return
    if not notice.text:
        await notifier.send(message.chat.id, words.FILE_SAVED)
        return
    assert notice.id is not None
    await notifier.send(message.chat.id, words.draft_saved(notice), reply_markup=kinds(notice.id))


def progress_markup(notice_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=words.REFRESH, callback_data=Nt(act="prog", id=notice_id))
    return kb.as_markup()


def build_router() -> Router:
    """The notices router (admins only); its reply catcher sees replies to its own prompts."""
    router = private_router("notices", Role.ADMIN)
    router.message.register(broadcast, Command("broadcast"))
    router.message.register(draft_reply, DraftReply())
    return router
