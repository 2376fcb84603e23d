"""Admins: /interview (约谈提醒) — who is past the +10 escalation, by pages; formal reminders after a confirmation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
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
    """约谈提醒 buttons: `action` ask (confirm first), go (send), no (cancel) or pg (a page of
    the list) for one person (`person`) or everyone listed (person 0); `ids` fingerprints exactly
    who the confirmation named, so 确认 sends nothing if the list changed meanwhile."""

    action: str = "ask"
    person: int = 0
    page: int = 0
    ids: str = ""


def _threshold(rules: LadderRules | None) -> int:
    """The ladder's admin step (ESCALATE_ADMIN_AFTER) when the app injects `rules`; else its default."""
    return (rules or LadderRules()).escalate_admin


def _page_markup(found: list[interviews.Case], page: int) -> InlineKeyboardMarkup | None:
    """A button per person of the page, the page buttons, and 全部发送 (each asks first)."""
    if not found:
        return None
    kb = InlineKeyboardBuilder()
    sizes: list[int] = []
    for case in words.page_of(found, page):
        kb.button(
            text=words.ONE_LABEL.format(name=case.name), callback_data=Yt(person=case.person_id)
        )
        sizes.append(1)
    moves = [(p, label) for p, label in words.moves(page, words.pages(found))]
    for target, label in moves:
        kb.button(text=label, callback_data=Yt(action="pg", page=target))
    if moves:
        sizes.append(len(moves))
    if len(found) > 1:
        kb.button(text=words.ALL_LABEL.format(n=len(found)), callback_data=Yt(person=0))
        sizes.append(1)
    kb.adjust(*sizes)
    return kb.as_markup()


async def interview(
    message: Message,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    rules: LadderRules | None = None,
) -> None:
    """/interview — the list by pages, a button per person and one for all."""
    threshold = _threshold(rules)
    found = await interviews.cases(session, now=clock.now(), zone=zone, escalate_admin=threshold)
    text = words.listing(found, threshold)
    await notifier.send(message.chat.id, text, reply_markup=_page_markup(found, 0))


async def pressed(
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
    """Every 约谈提醒 button; the list is worked out again now, whatever the button's age."""
    threshold, now = _threshold(rules), clock.now()
    found = await interviews.cases(session, now=now, zone=zone, escalate_admin=threshold)
    action, chat = callback_data.action, query.from_user.id
    if action == "pg":
        page = min(max(callback_data.page, 0), max(words.pages(found) - 1, 0))
        await query.answer()
        text = words.listing(found, threshold, page)
        await notifier.send(chat, text, reply_markup=_page_markup(found, page))
        return
    if action == "no":
        await query.answer(words.CANCELLED)
        return
    chosen = [c for c in found if callback_data.person in (0, c.person_id)]
    if not chosen or action not in ("ask", "go"):
        await query.answer(
            await _not_listed(session, callback_data.person, now, zone), show_alert=True
        )
        return
    earlier = await interviews.sent_today(session, chosen=chosen, today=local_date(now, zone))
    fresh = [c for c in chosen if c.person_id not in earlier]
    if not fresh:  # everyone asked about already had theirs today: nothing to confirm
        await query.answer()
        await notifier.send(chat, words.all_sent_today(chosen))
        return
    if action == "ask" or interviews.digest(fresh) != callback_data.ids:  # asked, or changed
        await query.answer()
        await notifier.send(
            chat,
            words.confirm(fresh, action == "go", len(earlier)),
            reply_markup=_confirm(callback_data.person, fresh),
        )
        return
    chosen = fresh

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
    await notifier.send(chat, words.outcome(result))


async def _not_listed(session: AsyncSession, person_id: int, now: datetime, zone: ZoneInfo) -> str:
    """Why a person's button no longer applies: on leave (until when), or nothing long overdue."""
    today = local_date(now, zone)
    until = (
        await interviews.away_until(session, person_id=person_id, today=today)
        if person_id
        else None
    )
    return texts.alert(words.on_leave(until) if until else words.NOT_LISTED)


def _confirm(person: int, chosen: list[interviews.Case]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=words.GO_LABEL.format(n=len(chosen)),
        callback_data=Yt(action="go", person=person, ids=interviews.digest(chosen)),
    )
    kb.button(text=words.NO_LABEL, callback_data=Yt(action="no"))
    kb.adjust(2)
    return kb.as_markup()


def build_router() -> Router:
    """The 约谈提醒 router (admins only)."""
    router = private_router("interviews", Role.ADMIN)
    router.message.register(interview, Command("interview"))
    router.callback_query.register(pressed, Yt.filter())
    return router
