"""Admins and 联络员: /leave marks a person away with an acting person, lists and cancels leaves."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.directory.leave import cancel_leave, list_leaves, parse_leave_dates, set_leave
from bot.telegram.notifier import Notifier
from bot.texts import leave as leave_texts
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
    if words[0].lower() in CANCEL_WORDS:
        if len(words) != 2:
            await notifier.send(chat, leave_texts.USAGE)
            return
        gone = await cancel_leave(session, actor=person, person_code=words[1], now=now, zone=zone)
        await notifier.send(chat, leave_texts.cancelled(gone, today))
        for telegram_id, view in gone.notes:
            if telegram_id != chat:
                await notifier.send(telegram_id, leave_texts.cancelled_note(view, today))
        return
    if len(words) not in (3, 4):
        await notifier.send(chat, leave_texts.USAGE)
        return
    starts_on, ends_on = parse_leave_dates(words[1], words[2], today=today)
    done = await set_leave(
        session,
        actor=person,
        person_code=words[0],
        starts_on=starts_on,
        ends_on=ends_on,
        acting_code=words[3] if len(words) == 4 else None,
        now=now,
        zone=zone,
    )
    await notifier.send(chat, leave_texts.leave_set(done, today))
    if done.acting_telegram_id is not None and done.acting_telegram_id != chat:
        note = leave_texts.acting_note(done.leave, today, person)
        await notifier.send(done.acting_telegram_id, note)


def build_router() -> Router:
    """The leave router, guarded once for 管理员 and 联络员."""
    router = private_router("leave", Role.ADMIN, Role.SECRETARY)
    router.message.register(leave, Command("leave"))
    return router
