"""Officials (and secretaries for their unit's shared items): their own list and item cards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
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
from bot.texts.ledger_pages import LedgerPage, my_page
from handlers.filters import private_router
from handlers.paging import PageCb, answer_turn, page_row, refused, show_turned
from storage.models import Role

MAX_CARDS = 30


class ItemCb(CallbackData, prefix="ic"):
    """Open an item card (a message one replies to, to record that item)."""

    due: int


def _cards(shown: LedgerPage, owner: int) -> InlineKeyboardMarkup | None:
    """A button per item the page shows (a closed one has no card), then the page buttons."""
    kb = InlineKeyboardBuilder()
    lines = [line for line in shown.shown if line.status is not Status.CLOSED][:MAX_CARDS]
    for line in lines:
        mark = texts.STATUS_MARK[line.status]
        kb.button(text=f"{mark}【{line.item_code}】", callback_data=ItemCb(due=line.due_item_id))
    kb.adjust(3)
    pager = page_row("my", owner, shown.page, shown.pages)
    if pager:
        kb.row(*pager)
    return kb.as_markup() if lines or pager else None


async def send_my_page(
    chat: int, person: Viewer, ledger: Ledger, page: int, notifier: Notifier
) -> int:
    """One page of /my with its item and page buttons; the page it is (clamped)."""
    shown = my_page(person, ledger, page)
    await notifier.send(chat, shown.text, reply_markup=_cards(shown, person.person_id))
    return shown.page


async def my(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/my — 我的清单: the counts, then this period's items (open ones first) a screen at a
    time; a button per item shown opens its card, and a reply to the card records that item."""
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    await send_my_page(message.chat.id, person, ledger, 0, notifier)


async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A page of /my, computed afresh; someone else's page buttons are refused."""
    if await refused(query, callback_data, person):
        return
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    shown = my_page(person, ledger, callback_data.page)
    await answer_turn(query, callback_data.page, shown.page)
    await show_turned(query, notifier, shown.text, _cards(shown, person.person_id))


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
    router.callback_query.register(turn_page, PageCb.filter(F.view == "my"))
    return router
