"""Secretaries (联络员): the unit's items this period, who has done what."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import Ledger, unit_list
from bot.telegram.notifier import Notifier
from bot.texts.ledger_pages import unit_page
from handlers.filters import private_router
from handlers.paging import PageCb, answer_turn, page_row, refused, show_turned
from storage.models import Role


async def unit(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/unit — the unit's counts and each person's first, then every item held in the unit this
    period with its holder and status, a screen at a time."""
    ledger = await unit_list(session, unit_id=person.unit_id, now=clock.now(), zone=zone)
    await _send_page(message.chat.id, person, ledger, 0, notifier)


def _markup(person: Viewer, page: int, pages: int) -> InlineKeyboardMarkup | None:
    row = page_row("unit", person.person_id, page, pages)
    return InlineKeyboardMarkup(inline_keyboard=[row]) if row else None


async def _send_page(
    chat: int, person: Viewer, ledger: Ledger, page: int, notifier: Notifier
) -> None:
    shown = unit_page(person, ledger, page)
    await notifier.send(chat, shown.text, reply_markup=_markup(person, shown.page, shown.pages))


async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A page of /unit, computed afresh for the presser's unit; someone else's are refused."""
    if await refused(query, callback_data, person):
        return
    ledger = await unit_list(session, unit_id=person.unit_id, now=clock.now(), zone=zone)
    shown = unit_page(person, ledger, callback_data.page)
    await answer_turn(query, callback_data.page, shown.page)
    await show_turned(query, notifier, shown.text, _markup(person, shown.page, shown.pages))


def build_router() -> Router:
    """The secretaries' router, guarded once for 联络员."""
    router = private_router("secretary", Role.SECRETARY)
    router.message.register(unit, Command("unit"))
    router.callback_query.register(turn_page, PageCb.filter(F.view == "unit"))
    return router
