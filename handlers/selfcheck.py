"""Officials: /selfcheck steps through the quarter's items; buttons and note replies find the draft in the DB."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import SYSTEM_SELFCHECK, local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import DraftStale, Stale
from bot.services.ledger.review_periods import offered_periods
from bot.services.plain_text import strip_controls
from bot.services.records import selfcheck as service
from bot.services.records.selfcheck import STATUSES, Sheet
from bot.services.replies import Meaning, ReplyKind, remember
from bot.telegram.notifier import Notifier
from bot.texts import selfcheck as words
from handlers.filters import private_router
from handlers.replies import Invites, RepliesToBot
from storage.models import OFFICIAL_ROLES


class SC(CallbackData, prefix="sc"):
    """A self-check button: q (pick quarter), go / redo / stop (resume), a (answer), back, note, ok.
    A step's buttons carry its due item (`due`; 0 on the review), not only its position."""

    action: str
    id: int = 0
    index: int = 0
    value: str = ""
    due: int = 0


def _button(label: str, data: SC) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())


def _keyboard(sheet: Sheet) -> InlineKeyboardMarkup:
    due = sheet.current.due_item_id if sheet.current else 0
    at = {"id": sheet.id, "index": sheet.position, "due": due}
    back = [_button(words.BUTTON_BACK, SC(action="back", **at))] if sheet.position else []
    stop = _button(words.BUTTON_CANCEL, SC(action="stop", id=sheet.id))
    if sheet.current is None:
        submit = _button(words.BUTTON_SUBMIT, SC(action="ok", **at))
        return InlineKeyboardMarkup(inline_keyboard=[[submit], [*back, stop]])
    answers = [_button(words.STATUS_WORDS[s], SC(action="a", value=s, **at)) for s in STATUSES]
    note = _button(words.BUTTON_NOTE, SC(action="note", **at))
    return InlineKeyboardMarkup(inline_keyboard=[answers, [note, *back, stop]])


async def show(notifier: Notifier, chat: int, sheet: Sheet) -> None:
    """The current step, or the review with 提交 once every item is answered."""
    text = words.step(sheet) if sheet.current else words.review(sheet)
    await notifier.send(chat, text, reply_markup=_keyboard(sheet))


async def start(
    chat: int,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/selfcheck or an old reminder's 开始季度自查: resume the open draft, pick a quarter (an
    overdue one first), or begin."""
    draft = await service.open_draft(session, person_id=person.person_id)
    if draft is not None and draft.id is not None:
        sheet = await service.load_sheet(session, viewer=person, selfcheck_id=draft.id)
        choices = [
            (words.BUTTON_CONTINUE, "go"),
            (words.BUTTON_RESTART, "redo"),
            (words.BUTTON_CANCEL, "stop"),
        ]
        row = [_button(label, SC(action=action, id=sheet.id)) for label, action in choices]
        markup = InlineKeyboardMarkup(inline_keyboard=[row])
        await notifier.send(chat, words.resume(sheet), reply_markup=markup)
        return
    now = clock.now()
    today = local_date(now, zone)
    offered = await offered_periods(
        session, person_id=person.person_id, system=SYSTEM_SELFCHECK, today=today
    )
    if len(offered) == 1:
        key = offered[0].key
        sheet = await service.begin(session, viewer=person, period_key=key, now=now, today=today)
        await show(notifier, chat, sheet)
        return
    rows = [
        [_button(texts.period_label(period), SC(action="q", value=period.key))]
        for period in offered
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    await notifier.send(chat, words.choose_quarter(offered, today), reply_markup=markup)


async def open_quarter(
    query: CallbackQuery,
    period_key: str,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A reminder's 开始季度自查（quarter）: that quarter's draft, resumed or begun."""
    now = clock.now()
    try:
        sheet = await service.begin(
            session, viewer=person, period_key=period_key, now=now, today=local_date(now, zone)
        )
    except DraftStale as stale:
        await query.answer(texts.alert(words.STALE[stale.why]), show_alert=True)
        return
    await query.answer()
    await show(notifier, query.from_user.id, sheet)


async def selfcheck(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/selfcheck — 季度自查."""
    await start(message.chat.id, person, session, clock, zone, notifier)


async def press(
    query: CallbackQuery,
    callback_data: SC,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Every self-check button; a stale, doubled or forged one gets an alert and changes nothing."""
    chat, now, data = query.from_user.id, clock.now(), callback_data
    at: dict[str, Any] = {"viewer": person, "selfcheck_id": data.id}
    try:
        if data.action == "q":
            today = local_date(now, zone)
            sheet = await service.begin(
                session, viewer=person, period_key=data.value, now=now, today=today
            )
        elif data.action == "go":
            sheet = await service.load_sheet(session, **at)
            service.still_open(sheet)
        elif data.action == "redo":
            sheet = await service.restart(session, now=now, **at)
        elif data.action == "stop":
            sheet = await service.cancel(session, now=now, **at)
            await query.answer()
            await notifier.send(chat, words.cancelled(sheet))
            return
        elif data.action == "a":
            sheet = await service.answer(
                session, index=data.index, due_item_id=data.due, status=data.value, now=now, **at
            )
        elif data.action == "back":
            sheet = await service.go_back(
                session, index=data.index, due_item_id=data.due, now=now, **at
            )
        elif data.action == "note":
            sheet = await service.load_sheet(session, **at)
            service.still_at(sheet, data.index, data.due)
            await query.answer()
            prompt = ForceReply(force_reply=True, input_field_placeholder="自查说明")
            sent = await notifier.send(
                chat, words.note_prompt(sheet, data.index), reply_markup=prompt
            )
            if sent:  # a reply to it is this step's note
                await remember(
                    session,
                    chat_id=chat,
                    message_id=sent[-1].message_id,
                    kind=ReplyKind.SELFCHECK_NOTE,
                    person_id=person.person_id,
                    due_item_ids=[sheet.items[data.index].due_item_id],
                    ref_id=sheet.id,
                    now=now,
                )
            return
        elif data.action == "ok":
            today = local_date(now, zone)
            sheet = await service.submit(session, today=today, now=now, **at)
            await query.answer()
            await notifier.send(chat, words.submitted(sheet))
            return
        else:
            raise DraftStale(Stale.GONE)
    except DraftStale as stale:
        await query.answer(texts.alert(words.STALE[stale.why]), show_alert=True)
        return
    await query.answer()
    await show(notifier, chat, sheet)


async def note_reply(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
) -> None:
    """The note typed as a reply to the prompt: stored on its step, then the current step again."""
    chat, note = message.chat.id, strip_controls(message.text or "").strip()
    if not note:
        await notifier.send(chat, words.NOTE_EMPTY)
        return
    if len(note) > service.NOTE_LIMIT:
        await notifier.send(chat, words.note_too_long(service.NOTE_LIMIT, len(note)))
        return
    [due_item_id] = meaning.due_item_ids
    try:
        sheet = await service.write_note(
            session,
            viewer=person,
            selfcheck_id=meaning.ref_id or 0,
            due_item_id=due_item_id,
            note=note,
            now=clock.now(),
        )
        index = next(n for n, item in enumerate(sheet.items) if item.due_item_id == due_item_id)
    except DraftStale as stale:
        gone = stale.why in (Stale.SUBMITTED, Stale.CANCELLED)
        await notifier.send(chat, words.NO_DRAFT_NOTE if gone else words.STALE[stale.why])
        return
    await notifier.send(chat, words.note_saved(index, note))
    await show(notifier, chat, sheet)


def build_router() -> Router:
    """The self-check router, guarded once for officials; it sees note replies before records do."""
    router = private_router("selfcheck", *OFFICIAL_ROLES)
    router.message.register(selfcheck, Command("selfcheck"))
    notes = Invites(ReplyKind.SELFCHECK_NOTE)
    router.message.register(note_reply, RepliesToBot(), notes, F.text)
    router.callback_query.register(press, SC.filter())
    return router
