"""/pending: a unit's outstanding items, paged (联络员, admins), or an official's own."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.oversight.pending import (
    Pending,
    UnitRef,
    holds_items,
    may_see_unit,
    own_pending,
    unit_pending,
    unit_ref,
)
from bot.telegram.notifier import Notifier
from bot.texts import pending as words
from handlers.filters import private_router
from storage.models import Category, Role

CATEGORIES = list(Category)
PURPOSES = {"p": "pending", "n": "nudge"}


class PendingPage(CallbackData, prefix="pd"):
    """A page of a /pending list: the unit (or, person set, one holder's own list) and its size."""

    unit_id: int
    person: int  # 0: the unit's list
    page: int
    total: int


class PickUnit(CallbackData, prefix="pdu"):
    """An admin's choice: a category (index into Category; its length: no category) or a unit."""

    purpose: str  # p: /pending, n: /nudge
    category: int = -1
    unit_id: int = 0


async def show_pending(
    chat: int,
    pending: Pending,
    page: int,
    notifier: Notifier,
    *,
    who: str | None = None,
    paged: bool = True,
) -> None:
    """Send one page of a list, with its page buttons (paged: the whole unit's or own list)."""
    pages = words.page_lines(pending) or [[]]
    page = page if 0 <= page < len(pages) else 0
    text = words.pending_page(pending, pages[page], page, len(pages), who)
    if not paged and len(pages) > 1:
        text += "\n" + words.MORE_LINES
    unit, who_id, total = pending.unit.unit_id, pending.person_id or 0, pending.total
    buttons = [
        InlineKeyboardButton(
            text=label,
            callback_data=PendingPage(unit_id=unit, person=who_id, page=to, total=total).pack(),
        )
        for label, to in (("« 上一页", page - 1), ("下一页 »", page + 1))
        if paged and 0 <= to < len(pages)
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None
    await notifier.send(chat, text, reply_markup=markup)


async def checked_unit(viewer: Viewer, unit: UnitRef | None, session: AsyncSession) -> str | None:
    """Why the viewer cannot use this unit's list (None: they can)."""
    if unit is None:
        return texts.STALE_BUTTON
    if not may_see_unit(viewer, unit.unit_id):
        return words.NOT_YOURS
    if not unit.active:
        return words.UNIT_CLOSED
    if not await holds_items(session, unit_id=unit.unit_id):
        return words.no_items(unit)
    return None


async def pending(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/pending — the unit's outstanding items (联络员; admins choose or name a unit); an
    official's own."""
    chat, now = message.chat.id, clock.now()
    if not person.is_admin and Role.SECRETARY not in person.roles:
        mine = await own_pending(session, viewer=person, now=now, zone=zone)
        await show_pending(chat, mine, 0, notifier)
        return
    if unit := await command_unit(chat, command, person, session, notifier, "p"):
        found = await unit_pending(session, unit=unit, now=now, zone=zone)
        await show_pending(chat, found, 0, notifier)


async def command_unit(
    chat: int,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    notifier: Notifier,
    purpose: str,
) -> UnitRef | None:
    """The unit a /pending or /nudge is about: a 联络员's own; an admin's named one, or none
    yet (the category buttons are sent). Refusals are answered here."""
    code = (command.args or "").strip()
    if person.is_admin and not code:
        prompt = words.choose_category(PURPOSES[purpose])
        await notifier.send(chat, prompt, reply_markup=categories(purpose))
        return None
    if person.is_admin:
        unit = await unit_ref(session, code=code)
    else:
        unit = await unit_ref(session, unit_id=person.unit_id)
    if unit is None:
        await notifier.send(chat, words.unknown_unit(code))
        return None
    if refusal := await checked_unit(person, unit, session):
        await notifier.send(chat, refusal)
        return None
    if code and not person.is_admin and code.upper() not in (unit.code.upper(), unit.name):
        await notifier.send(chat, words.own_unit_only(code, unit))
    return unit


async def turn_page(
    query: CallbackQuery,
    callback_data: PendingPage,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A page button, however old: the scope is checked again and the list computed afresh."""
    now = clock.now()
    if callback_data.person:
        if callback_data.person != person.person_id:
            await query.answer(words.NOT_YOUR_LIST, show_alert=True)
            return
        found = await own_pending(session, viewer=person, now=now, zone=zone)
    else:
        unit = await unit_ref(session, unit_id=callback_data.unit_id)
        if refusal := await checked_unit(person, unit, session):
            await query.answer(texts.alert(refusal), show_alert=True)
            return
        assert unit is not None
        found = await unit_pending(session, unit=unit, now=now, zone=zone)
    page = callback_data.page
    if page >= len(words.page_lines(found)):
        await query.answer(words.PAGE_GONE, show_alert=True)
        page = 0
    elif found.total != callback_data.total:
        await query.answer(words.LIST_CHANGED)
    else:
        await query.answer()
    await show_pending(query.from_user.id, found, page, notifier)


def column(buttons: Sequence[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    """One button a row."""
    rows = [[InlineKeyboardButton(text=t, callback_data=d.pack())] for t, d in buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def categories(purpose: str) -> InlineKeyboardMarkup:
    labels = [category.value for category in CATEGORIES] + [words.OTHER_CATEGORY]
    return column([(t, PickUnit(purpose=purpose, category=n)) for n, t in enumerate(labels)])


def build_router() -> Router:
    """/pending and its page buttons for officials, 联络员 and admins."""
    officials = (Role.FIRST, Role.MEMBER, Role.DISCIPLINE)
    lists = private_router("pending-lists", *officials, Role.SECRETARY, Role.ADMIN)
    lists.message.register(pending, Command("pending"))
    lists.callback_query.register(turn_page, PendingPage.filter())
    return lists
