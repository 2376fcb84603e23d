"""Admins: a notice draft's buttons (kind, audience picker, preview, 确认发送, 取消), in one message."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.window import SendingWindow
from bot.services.directory.identity import Viewer
from bot.services.notices import broadcast as notices
from bot.services.notices import stats as notice_stats
from bot.services.notices.audience import (
    ALL,
    CATEGORIES,
    CATEGORY,
    ROLE,
    ROLES,
    UNIT,
    Audience,
    parse,
)
from bot.services.notices.audience import unit_names as load_units
from bot.services.notices.broadcast import NoticeRefused
from bot.telegram.notifier import Notifier, split_text
from bot.texts import notices as words
from handlers.filters import private_router
from handlers.notices import Nt, kinds, progress_markup, show
from storage.models import Notice, Role

UNITS_PER_PAGE = 8


async def _refuse(query: CallbackQuery, error: NoticeRefused) -> None:
    await query.answer(texts.alert(words.refused(error.problem)), show_alert=True)


async def _picker(
    session: AsyncSession, notice_id: int, audience: Audience, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    units = dict(await load_units(session))
    kb = InlineKeyboardBuilder()
    if audience.kind == UNIT:
        ids = list(units)
        page = max(0, min(page, (len(ids) - 1) // UNITS_PER_PAGE))
        for unit_id in ids[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]:
            label = words.mark(units[unit_id], str(unit_id) in audience.values)
            kb.button(text=label, callback_data=Nt(act="tog", id=notice_id, v=str(unit_id), p=page))
        sizes = [2] * ((min(len(ids) - page * UNITS_PER_PAGE, UNITS_PER_PAGE) + 1) // 2)
        nav = 0
        if page > 0:
            kb.button(text=words.PREV, callback_data=Nt(act="page", id=notice_id, p=page - 1))
            nav += 1
        if (page + 1) * UNITS_PER_PAGE < len(ids):
            kb.button(text=words.NEXT, callback_data=Nt(act="page", id=notice_id, p=page + 1))
            nav += 1
        if nav:
            sizes.append(nav)
    else:
        options = CATEGORIES if audience.kind == CATEGORY else ROLES
        for index, option in enumerate(options):
            label = words.mark(option.value, option.value in audience.values)
            kb.button(text=label, callback_data=Nt(act="tog", id=notice_id, v=str(index)))
        sizes = [2] * ((len(options) + 1) // 2)
    kb.button(text=words.DONE, callback_data=Nt(act="done", id=notice_id))
    kb.button(text=words.BACK, callback_data=Nt(act="back", id=notice_id))
    kb.adjust(*sizes, 2)
    return words.picking(audience, units), kb.as_markup()


async def _preview(
    query: CallbackQuery, session: AsyncSession, notifier: Notifier, notice_id: int, person: Viewer
) -> None:
    """The preview with 确认发送 / 取消, or (nobody to receive it) back to choosing."""
    try:
        notice, reach = await notices.preview(
            session, notice_id=notice_id, author_id=person.person_id
        )
    except NoticeRefused as error:
        if error.problem not in (
            notices.NoticeProblem.EMPTY_AUDIENCE,
            notices.NoticeProblem.NO_AUDIENCE,
        ):
            raise
        await query.answer()
        text = f"{words.refused(error.problem)}\n\n{words.CHOOSE}"
        await show(query, notifier, text, kinds(notice_id))
        return
    units = dict(await load_units(session))
    kb = InlineKeyboardBuilder()
    kb.button(text=words.SEND, callback_data=Nt(act="send", id=notice_id))
    kb.button(text=words.BACK, callback_data=Nt(act="back", id=notice_id))
    kb.button(text=words.CANCEL, callback_data=Nt(act="cancel", id=notice_id))
    await query.answer()
    kb.adjust(1, 2)
    await show(query, notifier, words.preview(notice, reach, units), kb.as_markup())


async def pressed(
    query: CallbackQuery,
    callback_data: Nt,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow | None = None,
) -> None:
    """Every button of the draft: choose kind, toggle, page, done, back, send, cancel."""
    act, notice_id = callback_data.act, callback_data.id
    try:
        if act == "send":
            await _send(query, callback_data, person, session, clock, zone, notifier, window=window)
            return
        if act == "cancel":
            await notices.cancel(session, notice_id=notice_id, author_id=person.person_id)
            await query.answer()
            await show(query, notifier, words.CANCELLED, None)
            return
        notice = await notices.draft(session, notice_id=notice_id, author_id=person.person_id)
        if act == "back":
            await query.answer()
            await show(query, notifier, words.CHOOSE, kinds(notice_id))
            return
        if act == "done":
            await _preview(query, session, notifier, notice_id, person)
            return
        audience = _next_audience(notice, callback_data)
        if audience is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await notices.choose(
            session, notice_id=notice_id, author_id=person.person_id, audience=audience
        )
        if audience.kind == ALL:
            await _preview(query, session, notifier, notice_id, person)
            return
        text, markup = await _picker(session, notice_id, audience, callback_data.p)
        await query.answer()
        await show(query, notifier, text, markup)
    except NoticeRefused as error:
        await _refuse(query, error)


def _next_audience(notice: Notice, data: Nt) -> Audience | None:
    """The audience after a kind, toggle or page button (None: the button makes no sense now)."""
    current = parse(notice.audience)
    if data.act == "kind":
        if data.v == ALL:
            return Audience(ALL)
        if data.v not in (CATEGORY, UNIT, ROLE):
            return None
        return current if current is not None and current.kind == data.v else Audience(data.v)
    if current is None or current.kind not in (CATEGORY, UNIT, ROLE):
        return None
    if data.act == "page":
        return current
    if data.act != "tog" or not data.v.isdigit():
        return None
    if current.kind == UNIT:
        return current.toggled(data.v)
    options = CATEGORIES if current.kind == CATEGORY else ROLES
    index = int(data.v)
    return current.toggled(options[index].value) if index < len(options) else None


async def _send(
    query: CallbackQuery,
    data: Nt,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    *,
    window: SendingWindow | None = None,
) -> None:
    """确认发送: queued once; a second press is told it went already."""

    def compose(notice: Notice) -> list[notices.Part]:
        return words.compose(notice, person.name, zone, split_text)

    sending = await notices.send(
        session,
        notice_id=data.id,
        author_id=person.person_id,
        now=clock.now(),
        compose=compose,
        ack_markup=words.ack_markup,
        window=window,
    )
    if sending.again:
        await query.answer(texts.alert(words.already_sent(data.id, sending.total)), show_alert=True)
        return
    await query.answer()
    counts = notice_stats.Counts(total=sending.total)
    await show(query, notifier, words.progress(data.id, counts), progress_markup(data.id))


def build_router() -> Router:
    """The notice draft's buttons (admins only)."""
    router = private_router("notice-buttons", Role.ADMIN)
    acts = ("kind", "tog", "page", "done", "back", "send", "cancel")
    router.callback_query.register(pressed, Nt.filter(F.act.in_(acts)))
    return router
