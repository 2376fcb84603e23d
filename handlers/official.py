"""Officials (and secretaries for their unit's shared items): their own list and item cards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.ledger.status import Ledger, Status, my_list
from bot.services.records.choices import choice_by_id
from bot.services.replies import ReplyKind, remember
from bot.telegram.notifier import Notifier
from bot.texts import records as record_texts
from handlers.filters import private_router
from storage.models import Role

MAX_CARDS = 30


class ItemCb(CallbackData, prefix="ic"):
    """Open an item card (a message one replies to, to record that item)."""

    due: int


def _cards(ledger: Ledger) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    lines = [line for line in ledger.lines if line.status is not Status.CLOSED][:MAX_CARDS]
    for line in lines:
        mark = texts.STATUS_MARK[line.status]
        kb.button(text=f"{mark}【{line.item_code}】", callback_data=ItemCb(due=line.due_item_id))
    kb.adjust(3)
    return kb.as_markup() if lines else None


async def my(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/my — 我的清单: this period's items with status and due date; a button per item opens
    its card, and a reply to the card records that item."""
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    text = texts.my_list(person, ledger)
    markup = _cards(ledger)
    if markup is not None:
        text += "\n\n点下方事项按钮打开事项卡片，回复卡片即可记实。"
    await notifier.send(message.chat.id, text, reply_markup=markup)


async def item_card(
    query: CallbackQuery,
    callback_data: ItemCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The card of one due item of the presser's (forged or stale ids are refused)."""
    choice = await choice_by_id(session, viewer=person, due_item_id=callback_data.due)
    if choice is None:
        raise RecordRefused(RecordProblem.NOT_YOURS)
    await query.answer()
    now = clock.now()
    card = record_texts.item_card(choice, local_date(now, zone))
    sent = await notifier.send(query.from_user.id, card)
    if sent:  # a reply to the card is about this due item
        await remember(
            session,
            chat_id=query.from_user.id,
            message_id=sent[-1].message_id,
            kind=ReplyKind.ITEM_CARD,
            person_id=person.person_id,
            due_item_ids=[choice.due_item_id],
            now=now,
        )


def build_router() -> Router:
    """The officials' router, guarded once for officials and secretaries."""
    router = private_router("official", Role.FIRST, Role.MEMBER, Role.DISCIPLINE, Role.SECRETARY)
    router.message.register(my, Command("my"))
    router.callback_query.register(item_card, ItemCb.filter())
    return router
