"""Admins and due items: /close one outstanding item with a reason, or see what a holder owes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.ledger.closing import close_due_item, holder_outstanding
from bot.telegram.notifier import Notifier
from bot.texts import ledger as ledger_texts
from handlers.filters import private_router
from storage.models import Role


async def close(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/close 人员编码 事项编码 周期 原因 — close one due item; /close 人员编码 — list what is owed."""
    words = (command.args or "").split(maxsplit=3)
    if not words or len(words) == 2:
        await notifier.send(message.chat.id, ledger_texts.CLOSE_USAGE)
        return
    if len(words) == 1:
        label, items = await holder_outstanding(
            session, holder_code=words[0], now=clock.now(), zone=zone
        )
        await notifier.send(message.chat.id, ledger_texts.outstanding_of(label, items, words[0]))
        return
    closed = await close_due_item(
        session,
        holder_code=words[0],
        item_code=words[1],
        period_key=words[2],
        reason=words[3] if len(words) == 4 else "",
        actor_person_id=person.person_id,
        now=clock.now(),
        zone=zone,
    )
    await notifier.send(message.chat.id, ledger_texts.closed(closed, zone))


def build_router() -> Router:
    """The due-item admin router, guarded once for 管理员."""
    router = private_router("items_admin", Role.ADMIN)
    router.message.register(close, Command("close"))
    return router
