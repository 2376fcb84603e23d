"""Admins' unit picker: a category lists its units; a unit opens its /pending list or its /nudge."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.oversight.pending import unit_pending, unit_ref, units_in
from bot.telegram.notifier import Notifier
from bot.texts import pending as words
from handlers.filters import private_router
from handlers.nudge import offer_nudge
from handlers.pending import CATEGORIES, PURPOSES, PickUnit, checked_unit, column, show_pending
from storage.models import Role


async def pick_unit(
    query: CallbackQuery,
    callback_data: PickUnit,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """An admin's picker: a category lists its units; a unit opens its list or its /nudge."""
    chat, purpose = query.from_user.id, callback_data.purpose
    if purpose not in PURPOSES or not -1 <= callback_data.category <= len(CATEGORIES):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if callback_data.unit_id == 0:
        index = callback_data.category
        category = CATEGORIES[index] if 0 <= index < len(CATEGORIES) else None
        units = await units_in(session, category=category)
        await query.answer()
        if not units:
            await notifier.send(chat, words.NO_UNITS)
            return
        choices = [(u.name, PickUnit(purpose=purpose, unit_id=u.unit_id)) for u in units]
        await notifier.send(chat, words.CHOOSE_UNIT, reply_markup=column(choices))
        return
    unit = await unit_ref(session, unit_id=callback_data.unit_id)
    if refusal := await checked_unit(person, unit, session):
        await query.answer(texts.alert(refusal), show_alert=True)
        return
    assert unit is not None
    await query.answer()
    if purpose == "p":
        found = await unit_pending(session, unit=unit, now=clock.now(), zone=zone)
        await show_pending(chat, found, 0, notifier)
    else:
        await offer_nudge(chat, unit, session, clock, zone, notifier)


def build_router() -> Router:
    """The unit picker (admins only)."""
    picker = private_router("pending-picker", Role.ADMIN)
    picker.callback_query.register(pick_unit, PickUnit.filter())
    return picker
