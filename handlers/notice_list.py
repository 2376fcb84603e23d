"""Admins: /notices — recent notices with sent / failed / 已阅 counts, who has not read one (by
unit), a button that reminds them (at most once a day each); 刷新进度 while one goes out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.window import SendingWindow
from bot.services.notices import stats as notice_stats
from bot.services.notices.broadcast import NoticeRefused
from bot.services.notices.stats import NoticeStats
from bot.telegram.notifier import Notifier
from bot.texts import notices as words
from handlers.filters import private_router
from handlers.notices import Nt, progress_markup, show
from storage.models import Notice, Role


def _listing_markup(stats: list[NoticeStats], page: int, more: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for item in stats:
        label = words.DETAIL_LABEL.format(id=item.notice.id)
        kb.button(text=label, callback_data=Nt(act="det", id=item.notice.id or 0, p=page))
    nav = 0
    if page > 0:
        kb.button(text=words.PREV, callback_data=Nt(act="list", p=page - 1))
        nav += 1
    if more:
        kb.button(text=words.NEXT, callback_data=Nt(act="list", p=page + 1))
        nav += 1
    sizes = [2] * ((len(stats) + 1) // 2)
    kb.adjust(*sizes, *([nav] if nav else []))
    return kb.as_markup()


async def notices_command(
    message: Message, session: AsyncSession, zone: ZoneInfo, notifier: Notifier
) -> None:
    """/notices — the ten most recent sent notices with their counts."""
    stats, more = await notice_stats.recent(session, page=0)
    markup = _listing_markup(stats, 0, more) if stats else None
    await notifier.send(message.chat.id, words.listing(stats, 0, zone), reply_markup=markup)


async def listing_page(
    query: CallbackQuery,
    callback_data: Nt,
    session: AsyncSession,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """上一页 / 下一页 of the list (a new message)."""
    page = max(callback_data.p, 0)
    stats, more = await notice_stats.recent(session, page=page)
    await query.answer()
    markup = _listing_markup(stats, page, more) if stats or page else None
    await notifier.send(query.from_user.id, words.listing(stats, page, zone), reply_markup=markup)


async def unread(
    query: CallbackQuery,
    callback_data: Nt,
    session: AsyncSession,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """One notice: who has not read it, by unit; 提醒未阅人员 when anyone has not."""
    try:
        found = await notice_stats.detail(session, notice_id=callback_data.id)
    except NoticeRefused as error:
        await query.answer(texts.alert(words.refused(error.problem)), show_alert=True)
        return
    kb = InlineKeyboardBuilder()
    if found.unread:
        kb.button(text=words.REMIND_LABEL, callback_data=Nt(act="rem", id=callback_data.id))
    await query.answer()
    markup = kb.as_markup() if found.unread else None
    await notifier.send(query.from_user.id, words.unread(found, zone), reply_markup=markup)


async def remind(
    query: CallbackQuery,
    callback_data: Nt,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow | None = None,
) -> None:
    """提醒未阅人员: one reminder with the 已阅 button to each, once a day at most."""

    def render(notice: Notice) -> str:
        return words.remind_text(notice, zone)

    try:
        result = await notice_stats.remind_unread(
            session,
            notice_id=callback_data.id,
            now=clock.now(),
            zone=zone,
            render=render,
            ack_markup=words.ack_markup,
            window=window,
        )
    except NoticeRefused as error:
        await query.answer(texts.alert(words.refused(error.problem)), show_alert=True)
        return
    await query.answer()
    await notifier.send(query.from_user.id, words.reminded(result))


async def progress(
    query: CallbackQuery, callback_data: Nt, session: AsyncSession, notifier: Notifier
) -> None:
    """刷新进度: recounted from the outbox (restart-proof); the button goes once all is sent."""
    found = await notice_stats.counts(session, notice_ids=[callback_data.id])
    counts = found.get(callback_data.id, notice_stats.Counts())
    text = words.progress(callback_data.id, counts)
    await query.answer(texts.alert(text))
    markup = progress_markup(callback_data.id) if counts.pending else None
    await show(query, notifier, text, markup)


def build_router() -> Router:
    """The /notices router (admins only)."""
    router = private_router("notice_list", Role.ADMIN)
    router.message.register(notices_command, Command("notices"))
    router.callback_query.register(listing_page, Nt.filter(F.act == "list"))
    router.callback_query.register(unread, Nt.filter(F.act == "det"))
    router.callback_query.register(remind, Nt.filter(F.act == "rem"))
    router.callback_query.register(progress, Nt.filter(F.act == "prog"))
    return router
