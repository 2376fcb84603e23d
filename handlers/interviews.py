"""Admins: /interview (约谈提醒) — who is past the +10 escalation, and one tap to remind them formally."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.window import SendingWindow
from bot.services.directory.identity import Viewer
from bot.services.oversight import interviews
from bot.services.reminders.ladder import LadderRules
from bot.telegram.notifier import Notifier
from bot.texts import interviews as words
from bot.texts import notices as notice_words
from handlers.filters import private_router
from storage.models import Role


class Yt(CallbackData, prefix="yt"):
    """约谈提醒 to one person (`person`), or to everyone listed (person 0)."""

    person: int = 0


def _threshold(rules: LadderRules | None) -> int:
    """The ladder's admin step (ESCALATE_ADMIN_AFTER) when the app injects `rules`; else its default."""
    return (rules or LadderRules()).escalate_admin


async def interview(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    rules: LadderRules | None = None,
) -> None:
    """/interview — the list, a button per person and one for all."""
    threshold = _threshold(rules)
    found = await interviews.cases(session, now=clock.now(), zone=zone, escalate_admin=threshold)
    kb = InlineKeyboardBuilder()
    for case in found[: words.BUTTONS]:
        kb.button(
            text=words.ONE_LABEL.format(name=case.name), callback_data=Yt(person=case.person_id)
        )
    if len(found) > 1:
        kb.button(text=words.ALL_LABEL.format(n=len(found)), callback_data=Yt(person=0))
    kb.adjust(1)
    markup = kb.as_markup() if found else None
    await notifier.send(message.chat.id, words.listing(found, threshold), reply_markup=markup)


async def send_reminders(
    query: CallbackQuery,
    callback_data: Yt,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    rules: LadderRules | None = None,
    window: SendingWindow | None = None,
) -> None:
    """发送约谈提醒: the list is worked out again now; someone no longer on it is refused."""
    threshold, now = _threshold(rules), clock.now()
    found = await interviews.cases(session, now=now, zone=zone, escalate_admin=threshold)
    chosen = [c for c in found if callback_data.person in (0, c.person_id)]
    if not chosen:
        await query.answer(texts.alert(words.NOT_LISTED), show_alert=True)
        return

    def render(case: interviews.Case, today: date) -> str:
        return words.formal(case, today, threshold)

    result = await interviews.remind(
        session,
        chosen=chosen,
        actor_id=person.person_id,
        now=now,
        zone=zone,
        render=render,
        ack_markup=notice_words.ack_markup,
        window=window,
    )
    await query.answer()
    await notifier.send(query.from_user.id, words.outcome(result))


def build_router() -> Router:
    """The 约谈提醒 router (admins only)."""
    router = private_router("interviews", Role.ADMIN)
    router.message.register(interview, Command("interview"))
    router.callback_query.register(send_reminders, Yt.filter())
    return router
