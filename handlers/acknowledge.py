"""已阅: any bound person presses the button on their copy of a notice; only their own receipt counts."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.notices.stats import acknowledge
from bot.texts import notices as words
from handlers.filters import IsBound


class AckButton(CallbackData, prefix=words.ACK_PREFIX):
    """The 已阅 button of one copy (packs as bot.texts.notices.ack_markup writes it)."""

    receipt: int


async def acknowledged(
    query: CallbackQuery,
    callback_data: AckButton,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
) -> None:
    """Stamp the receipt once; pressed again: already done; someone else's receipt: refused."""
    outcome = await acknowledge(
        session, receipt_id=callback_data.receipt, person_id=person.person_id, now=clock.now()
    )
    await query.answer(words.ACK[outcome], show_alert=True)


def build_router() -> Router:
    """The 已阅 router: no role guard (every recipient may press), bound people only; the
    service checks that the receipt is the presser's."""
    router = Router(name="acknowledge")
    router.callback_query.register(acknowledged, AckButton.filter(), IsBound())
    return router
