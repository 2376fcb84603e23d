"""已阅: a bound person presses the button on their copy of a notice, or replies 收到 to it; only their own receipt counts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.notices.stats import Ack, acknowledge
from bot.services.records.matcher import Intent, Matcher
from bot.services.replies import Meaning, ReplyKind
from bot.telegram.notifier import Notifier
from bot.texts import notices as words
from bot.texts import records as record_words
from handlers.filters import IsBound
from handlers.replies import Invites, RepliesToBot


class AckButton(CallbackData, prefix=words.ACK_PREFIX):
    """The 已阅 button of one copy (packs as bot.texts.notices.ack_markup writes it)."""

    receipt: int


async def acknowledged(
    query: CallbackQuery,
    callback_data: AckButton,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
) -> None:
    """Stamp the receipt once; pressed again: already done; someone else's receipt: refused.
    The reader's own copy then shows ✅ 已阅 on its button."""
    outcome = await acknowledge(
        session, receipt_id=callback_data.receipt, person_id=person.person_id, now=clock.now()
    )
    await notifier.release()  # the stamp is committed before Telegram is asked anything
    await query.answer(words.ACK[outcome], show_alert=True)
    message = query.message
    if outcome is not Ack.NOT_YOURS and isinstance(message, Message):
        pressed = InlineKeyboardButton(text=words.ACKED_LABEL, callback_data=callback_data.pack())
        markup = InlineKeyboardMarkup(inline_keyboard=[[pressed]])
        if message.reply_markup != markup:  # pressed before: it already says so
            await notifier.edit_markup(message.chat.id, message.message_id, markup)


async def replied_to_notice(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
    matcher: Matcher,
) -> None:
    """A reply to one's copy of a notice: 收到 / 已阅 / 好的 marks it read; anything else is
    said to need no reply (never a record)."""
    text = message.text or ""
    if matcher.classify(text) is not Intent.ACK:
        await notifier.send(message.chat.id, record_words.NOTICE_REPLY, reply_to=message.message_id)
        return
    outcome = await acknowledge(
        session, receipt_id=meaning.ref_id or 0, person_id=person.person_id, now=clock.now()
    )
    reply = record_words.NOTICE_READ if outcome is Ack.DONE else record_words.NOTICE_READ_BEFORE
    await notifier.send(message.chat.id, reply, reply_to=message.message_id)


def build_router() -> Router:
    """The 已阅 router: no role guard (every recipient may press), bound people only; the
    service checks that the receipt is the presser's."""
    router = Router(name="acknowledge")
    router.callback_query.register(acknowledged, AckButton.filter(), IsBound())
    notice = Invites(ReplyKind.NOTICE)
    router.message.register(replied_to_notice, RepliesToBot(), IsBound(), notice, F.text)
    return router
