"""The buttons on reminders: 开始季度自查 / 开始写半年报告 start /selfcheck or /report for an official."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import my_list
from bot.telegram.notifier import Notifier
from bot.texts import reminders as words
from handlers import report, selfcheck
from handlers.filters import private_router
from storage.models import OFFICIAL_ROLES, Role

FLOWS = {"selfcheck": selfcheck.start, "report": report.start}


class Flow(CallbackData, prefix="flow"):
    """A reminder's button: which review to start (packs as bot.texts.reminders.FLOW_*)."""

    name: str


async def start_flow(
    query: CallbackQuery,
    callback_data: Flow,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """An official starts (or resumes) the self-check or report; anyone else sees their list."""
    chat = query.from_user.id
    flow = FLOWS.get(callback_data.name)
    await query.answer()
    if flow is not None and person.roles & OFFICIAL_ROLES:
        await flow(chat, person, session, clock, zone, notifier)
        return
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    await notifier.send(chat, words.review_intro(callback_data.name, person, ledger))


def build_router() -> Router:
    """The reminders' buttons, for officials and secretaries."""
    router = private_router("flows", Role.FIRST, Role.MEMBER, Role.DISCIPLINE, Role.SECRETARY)
    router.callback_query.register(start_flow, Flow.filter())
    return router
