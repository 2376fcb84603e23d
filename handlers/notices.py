"""Admins: /broadcast drafts a notice (reply to the prompt), chooses its audience, sends it once;
/notices shows sent / failed / 已阅 counts, who has not read a notice, and reminds them."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
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
from storage.models import Notice, Role

UNITS_PER_PAGE = 8


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


def _kinds(notice_id: int) -> InlineKeyboardMarkup:
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


async def _refuse(query: CallbackQuery, error: NoticeRefused) -> None:
    await query.answer(texts.alert(words.refused(error.problem)), show_alert=True)


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
    await notifier.send(message.chat.id, words.draft_saved(notice), reply_markup=_kinds(notice.id))


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
        await show(query, notifier, text, _kinds(notice_id))
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
) -> None:
    """Every button of the draft: choose kind, toggle, page, done, back, send, cancel."""
    act, notice_id = callback_data.act, callback_data.id
    try:
        if act == "send":
            await _send(query, callback_data, person, session, clock, zone, notifier)
            return
        if act == "cancel":
            await notices.cancel(session, notice_id=notice_id, author_id=person.person_id)
            await query.answer()
            await show(query, notifier, words.CANCELLED, None)
            return
        notice = await notices.draft(session, notice_id=notice_id, author_id=person.person_id)
        if act == "back":
            await query.answer()
            await show(query, notifier, words.CHOOSE, _kinds(notice_id))
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


def progress_markup(notice_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=words.REFRESH, callback_data=Nt(act="prog", id=notice_id))
    return kb.as_markup()


async def _send(
    query: CallbackQuery,
    data: Nt,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
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
    )
    if sending.again:
        await query.answer(texts.alert(words.already_sent(data.id, sending.total)), show_alert=True)
        return
    await query.answer()
    counts = notice_stats.Counts(total=sending.total)
    await show(query, notifier, words.progress(data.id, counts), progress_markup(data.id))


def build_router() -> Router:
    """The notices router (admins only); its reply catcher sees replies to its own prompts."""
    router = private_router("notices", Role.ADMIN)
    router.message.register(broadcast, Command("broadcast"))
    router.message.register(draft_reply, DraftReply())
    acts = ("kind", "tog", "page", "done", "back", "send", "cancel")
    router.callback_query.register(pressed, Nt.filter(F.act.in_(acts)))
    return router
