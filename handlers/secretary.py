"""Secretaries (联络员): the unit's items this period, who has done what."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import unit_list
from bot.telegram.notifier import Notifier
from handlers.filters import private_router
from storage.models import Role


async def unit(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/unit — every item held in the secretary's unit this period, with its holder and status."""
    ledger = await unit_list(session, unit_id=person.unit_id, now=clock.now(), zone=zone)
    await notifier.send(message.chat.id, texts.unit_list(person, ledger))


def build_router() -> Router:
    """The secretaries' router, guarded once for 联络员."""
    router = private_router("secretary", Role.SECRETARY)
    router.message.register(unit, Command("unit"))
    return router
