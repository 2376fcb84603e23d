"""Admins and due items: /close one outstanding item with a reason, or see what a holder owes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.ledger.closing import close_due_item, holder_outstanding
from bot.telegram.notifier import Notifier
from bot.texts import ledger as ledger_texts
from handlers.filters import private_router
from handlers.paging import PageCb, answer_turn, page_row, refused, show_turned
from storage.models import Role


async def close(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/close 人员编码 事项编码 周期 原因 — close one due item; /close 人员编码 — list what is owed."""
    words = (command.args or "").split(maxsplit=3)
    if not words or len(words) == 2:
        await notifier.send(message.chat.id, ledger_texts.CLOSE_USAGE)
        return
    if len(words) == 1:
        text, markup, _ = await _page(person, words[0], 0, session, clock, zone)
        await notifier.send(message.chat.id, text, reply_markup=markup)
        return
    closed = await close_due_item(
        session,
        holder_code=words[0],
        item_code=words[1],
        period_key=words[2],
        reason=words[3] if len(words) == 4 else "",
        actor_person_id=person.person_id,
        now=clock.now(),
        zone=zone,
    )
    await notifier.send(message.chat.id, ledger_texts.closed(closed, zone))


async def _page(
    person: Viewer, code: str, page: int, session: AsyncSession, clock: Clock, zone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None, int]:
    """One page of what a holder owes, its page buttons, and the page it is (clamped)."""
    label, items = await holder_outstanding(session, holder_code=code, now=clock.now(), zone=zone)
    text, shown, pages = ledger_texts.outstanding_of(label, items, code, page)
    row = page_row("close", person.person_id, shown, pages, code)
    return text, InlineKeyboardMarkup(inline_keyboard=[row]) if row else None, shown


async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A page of /close 人员编码, computed afresh; another admin's page buttons are refused."""
    if await refused(query, callback_data, person):
        return
    asked = callback_data.page
    text, markup, shown = await _page(person, callback_data.arg, asked, session, clock, zone)
    await answer_turn(query, asked, shown)
    await show_turned(query, notifier, text, markup)


def build_router() -> Router:
    """The due-item admin router, guarded once for 管理员."""
    router = private_router("items_admin", Role.ADMIN)
    router.message.register(close, Command("close"))
    router.callback_query.register(turn_page, PageCb.filter(F.view == "close"))
    return router
