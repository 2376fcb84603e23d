"""联络员 and admins: /progress (chart), /export (the 台账 workbook), /publicize (公示 in the group).

A 联络员 acts on their own unit; an admin on any, named (/export U01) or picked from a paged
list. Every button is checked again when pressed: a forged or old one naming another unit is
refused, a page past the end shows the last page.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow
from bot.services.directory.identity import Viewer
from bot.services.exports.ledger_xlsx import build_workbook
from bot.services.exports.year import collect, held_items
from bot.services.ledger.span import active_units, unit_by_code
from bot.services.oversight.progress import quarter_of, quarter_progress
from bot.services.oversight.publicize import NoGroup, post_to_group
from bot.telegram.building import Builds
from bot.telegram.notifier import Notifier, split_text
from bot.texts import exports as words
from bot.texts.group_list import group_list
from handlers.filters import private_router
from handlers.progress import send_progress
from storage.models import Role, Unit

MAX_UPLOAD = 50 * 1024 * 1024  # what the Bot API lets a bot send
PAGE_SIZE = 10
YEARS_BACK = 3
WHAT = {"e": "export", "p": "progress", "b": "publicize"}
KINDS = {"list": words.KIND_LIST, "progress": words.KIND_PROGRESS}


class ExportPick(CallbackData, prefix="ex"):
    """A step of /export, /progress or /publicize: a picker page, a unit, a year, a quarter."""

    what: str  # e / p / b (WHAT)
    unit: str = ""  # unit code; empty: the admin's unit picker
    page: int = 0
    year: int = 0  # 0: not chosen yet
    quarter: int = -1  # -1: not chosen yet; 0: the whole year


class PublicizePick(CallbackData, prefix="pb"):
    """What to post in the unit's group."""

    unit: str
    kind: str  # list / progress


async def scoped_unit(session: AsyncSession, person: Viewer, code: str) -> Unit | str:
    """The unit named by `code` (own unit when empty) if the person may act on it, else why not."""
    unit = await unit_by_code(session, code=code or person.unit_code)
    if unit is None or unit.id is None:
        return words.unknown_unit(code)
    if not person.is_admin and unit.id != person.unit_id:
        return words.not_your_unit(person.unit_name)
    return unit


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


async def unit_picker(
    chat: int, what: str, page: int, session: AsyncSession, notifier: Notifier
) -> None:
    units = await active_units(session)
    pages = max(1, -(-len(units) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)  # an old list's page past the end: the last page
    shown = units[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [
        _button(f"{name}（{code}）", ExportPick(what=what, unit=code)) for code, name in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    turns = [
        _button(label, ExportPick(what=what, page=to))
        for label, to in ((words.PREVIOUS_PAGE, page - 1), (words.NEXT_PAGE, page + 1))
        if 0 <= to < pages
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[*rows, turns] if turns else rows)
    await notifier.send(chat, words.choose_unit(WHAT[what], page, pages), reply_markup=markup)


async def start(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
) -> None:
    """/progress, /export or /publicize [单位编码]: the own unit at once; an admin names a unit
    or picks it from the paged list."""
    what = {name: key for key, name in WHAT.items()}[command.command]
    chat, code = message.chat.id, next(iter((command.args or "").split()), "")
    if person.is_admin and not code:
        await unit_picker(chat, what, 0, session, notifier)
        return
    unit = await scoped_unit(session, person, code)
    if isinstance(unit, str):
        await notifier.send(chat, unit)
        return
    await opened(chat, what, unit, person, session, clock, zone, notifier, builds)


async def opened(
    chat: int,
    what: str,
    unit: Unit,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
) -> None:
    """A unit chosen: the chart, the years to export, or what to publicize."""
    assert unit.id is not None
    if what == "p":
        await send_progress(
            chat,
            unit_id=unit.id,
            unit_name=unit.name,
            session=session,
            clock=clock,
            zone=zone,
            notifier=notifier,
            builds=builds,
        )
        return
    if what == "b":
        kinds = [
            [_button(label, PublicizePick(unit=unit.code, kind=k))] for k, label in KINDS.items()
        ]
        markup = InlineKeyboardMarkup(inline_keyboard=kinds)
        await notifier.send(chat, words.CHOOSE_KIND, reply_markup=markup)
        return
    this_year = local_date(clock.now(), zone).year
    years = [
        _button(f"{y}年", ExportPick(what="e", unit=unit.code, year=y))
        for y in range(this_year, this_year - YEARS_BACK, -1)
    ]
    await notifier.send(
        chat, words.CHOOSE_YEAR, reply_markup=InlineKeyboardMarkup(inline_keyboard=[years])
    )


async def picked(
    query: CallbackQuery,
    callback_data: ExportPick,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
) -> None:
    """A picker page, a unit, a year or a quarter pressed (however old: checked afresh)."""
    chat, data = query.from_user.id, callback_data
    this_year = local_date(clock.now(), zone).year
    if (
        data.what not in WHAT
        or not -1 <= data.quarter <= 4
        or (data.year and not this_year - 50 <= data.year <= this_year + 1)
    ):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if not data.unit:
        if not person.is_admin:
            await query.answer(texts.alert(words.not_your_unit(person.unit_name)), show_alert=True)
            return
        await query.answer()
        await unit_picker(chat, data.what, data.page, session, notifier)
        return
    unit = await scoped_unit(session, person, data.unit)
    if isinstance(unit, str):
        await query.answer(texts.alert(unit), show_alert=True)
        return
    if data.what != "e" or not data.year:
        await query.answer()
        await opened(chat, data.what, unit, person, session, clock, zone, notifier, builds)
        return
    if data.quarter < 0:
        await query.answer()
        span = [_button(words.WHOLE_YEAR, data.model_copy(update={"quarter": 0}))]
        quarters = [
            _button(f"第{words.QUARTER_NAMES[q - 1]}季度", data.model_copy(update={"quarter": q}))
            for q in range(1, 5)
        ]
        markup = InlineKeyboardMarkup(inline_keyboard=[span, quarters])
        await notifier.send(chat, words.CHOOSE_QUARTER, reply_markup=markup)
        return
    view = f"export:{data.unit}:{data.year}:{data.quarter}"
    if builds.busy(chat, view):
        await query.answer(texts.STILL_BUILDING, show_alert=True)
        return
    await query.answer(words.EXPORTING)
    quarter = data.quarter or None

    async def build() -> None:
        await send_workbook(chat, unit, data.year, quarter, builds, clock, zone, notifier)

    await builds.run(chat, view, build)


async def send_workbook(
    chat: int,
    unit: Unit,
    year: int,
    quarter: int | None,
    builds: Builds,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Read the unit's year in the builds' worker, write the workbook in a worker thread and
    send it (or say it is too large)."""
    today = local_date(clock.now(), zone)
    data = await builds.worker.run(
        lambda s: collect(s, unit=unit, year=year, quarter=quarter, today=today)
    )
    book = await asyncio.to_thread(build_workbook, data, zone=zone)
    if len(book) > MAX_UPLOAD:
        await notifier.send(chat, words.too_large(len(book), MAX_UPLOAD))
        return
    await notifier.send_document(
        chat,
        data=book,
        filename=words.export_filename(unit.name, data.span_label),
        caption=words.export_caption(unit.name, data.span_label, len(data.records)),
    )


async def publicize_picked(
    query: CallbackQuery,
    callback_data: PublicizePick,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow | None = None,
) -> None:
    """Post the chosen kind into the unit's group through the outbox (once a day per kind)."""
    unit = await scoped_unit(session, person, callback_data.unit)
    kind = KINDS.get(callback_data.kind)
    if kind is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if isinstance(unit, str):
        await query.answer(texts.alert(unit), show_alert=True)
        return
    assert unit.id is not None
    now = clock.now()
    today = local_date(now, zone)
    by = f"{'管理员' if person.is_admin else '联络员'}{person.name}"
    if callback_data.kind == "list":
        items = await held_items(session, unit_id=unit.id)
        parts = group_list(unit.name, today.year, items, by)
    else:
        year, quarter = quarter_of(today)
        found = await quarter_progress(
            session, unit_id=unit.id, year=year, quarter=quarter, today=today
        )
        parts = split_text(words.group_progress(words.progress_numbers(unit.name, found), by))
    try:
        posted = await post_to_group(
            session,
            unit=unit,
            kind=callback_data.kind,
            parts=parts,
            actor_person_id=person.person_id,
            now=now,
            zone=zone,
            window=window,
        )
    except NoGroup:
        await query.answer()
        await notifier.send(query.from_user.id, words.no_group(unit.name))
        return
    await query.answer()
    reply = (
        words.publicized(unit.name, kind, posted.parts)
        if posted.queued
        else words.already_publicized(unit.name, kind)
    )
    await notifier.send(query.from_user.id, reply)


def build_router() -> Router:
    """The secretaries' and admins' router, guarded once for both roles."""
    router = private_router("exports", Role.SECRETARY, Role.ADMIN)
    router.message.register(start, Command("progress", "export", "publicize"))
    router.callback_query.register(picked, ExportPick.filter())
    router.callback_query.register(publicize_picked, PublicizePick.filter())
    return router
