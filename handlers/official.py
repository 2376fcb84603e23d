"""Officials (and secretaries for their unit's shared items): their own list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.notify import Notifier
from bot.services.identity import Viewer
from bot.services.ledger import my_list
from handlers.filters import private_router
from storage.models import Role


async def my(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/my — 我的清单: this period's items with status and due date."""
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    await notifier.send(message.chat.id, texts.my_list(person, ledger))


def build_router() -> Router:
    """The officials' router, guarded once for officials and secretaries."""
    router = private_router("official", Role.FIRST, Role.MEMBER, Role.DISCIPLINE, Role.SECRETARY)
    router.message.register(my, Command("my"))
    return router
