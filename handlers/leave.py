"""Admins and 联络员: /leave marks a person away with an acting person, lists and cancels leaves."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.directory.identity import Viewer
from bot.services.directory.leave import cancel_leave, list_leaves, set_leave
from bot.services.directory.leave_dates import check_leave_period, parse_leave_dates
from bot.services.directory.leave_pick import open_pick, take_pick
from bot.services.directory.naming import Named, code_of, people_meant
from bot.services.outbox import OutboxMessage, enqueue
from bot.telegram.notifier import Notifier
from bot.texts import leave as leave_texts
from bot.texts import leave_pick as pick_texts
from handlers.filters import private_router
from storage.models import Role

CANCEL_WORDS = frozenset({"cancel", "取消"})


async def leave(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow,
) -> None:
    """/leave | /leave P0102 起 止 [代办人] | /leave cancel P0102."""
    words = (command.args or "").replace("，", " ").replace(",", " ").split()
    now = clock.now()
    today = local_date(now, zone)
    chat = message.chat.id
    if not words:
        leaves = await list_leaves(session, actor=person, today=today)
        await notifier.send(chat, leave_texts.listing(person, leaves, today))
        return
    scope = None if person.is_admin else person.unit_id
    if words[0].lower() in CANCEL_WORDS:
        if len(words) != 2:
            await notifier.send(chat, leave_texts.USAGE)
            return
        found = await people_meant(session, typed=words[1], unit_id=scope)
        if len(found) > 1:
            await notifier.send(chat, pick_texts.same_name(words[1], found))
            return
        code = found[0].code if found else words[1]
        gone = await cancel_leave(session, actor=person, person_code=code, now=now, zone=zone)
        await notifier.send(chat, leave_texts.cancelled(gone, today))
        notes = [
            (tg, f"leave-cancel:{view.leave_id}", leave_texts.cancelled_note(view, today))
            for tg, view in gone.notes
            if tg != chat
        ]
        await _tell(session, notes, now, window)
        return
    if len(words) not in (3, 4):
        await notifier.send(chat, leave_texts.USAGE)
        return
    starts_on, ends_on = parse_leave_dates(words[1], words[2], today=today)
    check_leave_period(starts_on, ends_on, today=today)
    who = await people_meant(session, typed=words[0], unit_id=scope)
    acting = await people_meant(session, typed=words[3], unit_id=scope) if len(words) == 4 else []
    named_all = len(words) == 3 or bool(acting)  # an unknown acting name is refused as typed
    if who and named_all and (len(who) > 1 or len(acting) > 1):
        pick = await open_pick(session, actor_person_id=person.person_id, now=now)
        await notifier.send(
            chat, pick_texts.PICK, reply_markup=_picks(pick, who, acting, starts_on, ends_on)
        )
        return
    person_code = who[0].code if who else words[0]
    acting_code = (acting[0].code if len(acting) == 1 else words[3]) if len(words) == 4 else None
    await _set(
        chat,
        person,
        session,
        clock,
        zone,
        notifier,
        window,
        person_code,
        acting_code,
        starts_on,
        ends_on,
    )


class LeavePick(CallbackData, prefix="lv"):
    """A choice among people of one name: the command's pick (used once), who is away, who acts
    (0: nobody), the days (ordinals)."""

    pick: int
    person: int
    acting: int
    starts: int
    ends: int


def _picks(
    pick: int, who: list[Named], acting: list[Named], starts_on: date, ends_on: date
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    others: list[Named | None] = list(acting) or [None]
    for one in who:
        for other in others:
            if other is not None and other.person_id == one.person_id:
                continue
            data = LeavePick(
                pick=pick,
                person=one.person_id,
                acting=other.person_id if other else 0,
                starts=starts_on.toordinal(),
                ends=ends_on.toordinal(),
            )
            builder.button(text=pick_texts.pick_button(one, other), callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


async def picked(
    query: CallbackQuery,
    callback_data: LeavePick,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow,
) -> None:
    """A same-name button: the leave is set as if typed with the codes (scope checked again)."""
    code = await code_of(session, person_id=callback_data.person)
    acting = (
        await code_of(session, person_id=callback_data.acting) if callback_data.acting else None
    )
    if code is None or (callback_data.acting and acting is None):
        await query.answer(pick_texts.STALE, show_alert=True)
        return
    try:
        starts_on = date.fromordinal(callback_data.starts)
        ends_on = date.fromordinal(callback_data.ends)
    except ValueError:
        await query.answer(pick_texts.STALE, show_alert=True)
        return
    now = clock.now()
    if not await take_pick(
        session, pick_id=callback_data.pick, actor_person_id=person.person_id, now=now
    ):
        await query.answer(pick_texts.TAKEN, show_alert=True)
        return
    await query.answer()
    chat = query.from_user.id
    await _set(
        chat, person, session, clock, zone, notifier, window, code, acting, starts_on, ends_on
    )


async def _set(
    chat: int,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow,
    person_code: str,
    acting_code: str | None,
    starts_on: date,
    ends_on: date,
) -> None:
    now = clock.now()
    today = local_date(now, zone)
    done = await set_leave(
        session,
        actor=person,
        person_code=person_code,
        starts_on=starts_on,
        ends_on=ends_on,
        acting_code=acting_code,
        now=now,
        zone=zone,
    )
    await notifier.send(chat, leave_texts.leave_set(done, today))
    if done.acting_telegram_id is not None and done.acting_telegram_id != chat:
        note = leave_texts.acting_note(done.leave, today, person)
        await _tell(
            session,
            [(done.acting_telegram_id, f"leave-note:{done.leave.leave_id}", note)],
            now,
            window,
        )


async def _tell(
    session: AsyncSession,
    notes: list[tuple[int, str, str]],
    now: datetime,
    window: SendingWindow | None,
) -> None:
    """The acting person's note goes through the outbox like any bulk message: kept through an
    outage, delivered in the sending window (not at night), once (keyed by the leave)."""
    if not notes:
        return
    not_before = await bulk_not_before(session, window=window, now=now)
    messages = [
        OutboxMessage(
            dedupe_key=key,
            chat_id=tg,
            person_id=None,
            text=text,
            not_before=not_before,
            kind="leave",
        )
        for tg, key, text in notes
    ]
    await enqueue(session, messages=messages, now=now)
    await session.commit()


def build_router() -> Router:
    """The leave router, guarded once for 管理员 and 联络员."""
    router = private_router("leave", Role.ADMIN, Role.SECRETARY)
    router.message.register(leave, Command("leave"))
    router.callback_query.register(picked, LeavePick.filter())
    return router
