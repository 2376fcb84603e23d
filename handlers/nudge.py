"""/nudge: 联络员 and admins choose whom in a unit to remind, then the reminders are queued."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow
from bot.services.directory.identity import Viewer
from bot.services.directory.recipients import load_directory
from bot.services.oversight.nudge import nudge, targets
from bot.services.oversight.pending import UnitRef, unit_pending, unit_ref
from bot.telegram.notifier import Notifier
from bot.texts import pending as words
from handlers.filters import private_router
from handlers.pending import checked_unit, column, command_unit
from storage.models import Role


class NudgePick(CallbackData, prefix="ng"):
    """Remind everyone with outstanding items in the unit (person 0) or one person."""

    unit_id: int
    person: int


async def offer_nudge(
    chat: int,
    unit: UnitRef,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The /nudge choices: 全部提醒, then one button per person with outstanding items."""
    now = clock.now()
    found = await unit_pending(session, unit=unit, now=now, zone=zone)
    people = targets(found, await load_directory(session, today=local_date(now, zone)))
    if not people:
        await notifier.send(chat, words.nothing_to_nudge(unit))
        return
    choices: list[tuple[str, CallbackData]] = [
        (words.ALL_BUTTON, NudgePick(unit_id=unit.unit_id, person=0))
    ]
    for t in people:
        label = f"{t.name}（{len(t.items)} 项）"
        choices.append((label, NudgePick(unit_id=unit.unit_id, person=t.person_id)))
    await notifier.send(chat, words.nudge_choices(found), reply_markup=column(choices))


async def nudge_command(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/nudge — choose whom to remind (联络员: their unit; admins: a unit chosen or named)."""
    chat = message.chat.id
    if unit := await command_unit(chat, command, person, session, notifier, "n"):
        await offer_nudge(chat, unit, session, clock, zone, notifier)


async def send_nudge(
    query: CallbackQuery,
    callback_data: NudgePick,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow | None = None,
) -> None:
    """全部提醒 or one person: queue the reminders, then tell who was reminded."""
    unit = await unit_ref(session, unit_id=callback_data.unit_id)
    if refusal := await checked_unit(person, unit, session):
        await query.answer(texts.alert(refusal), show_alert=True)
        return
    assert unit is not None
    now = clock.now()
    today = local_date(now, zone)
    outcomes = await nudge(
        session,
        actor=person,
        unit=unit,
        person_id=callback_data.person or None,
        now=now,
        zone=zone,
        render=lambda letter: words.nudge_letter(letter, today),
        window=window,
    )
    await query.answer()
    if callback_data.person and not outcomes:
        await notifier.send(query.from_user.id, words.NUDGE_GONE)
        return
    await notifier.send(query.from_user.id, words.nudge_report(unit, outcomes))


def build_router() -> Router:
    """/nudge for 联络员 and admins."""
    nudging = private_router("nudge", Role.SECRETARY, Role.ADMIN)
    nudging.message.register(nudge_command, Command("nudge"))
    nudging.callback_query.register(send_nudge, NudgePick.filter())
    return nudging
