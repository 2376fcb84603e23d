"""The buttons on reminders: 开始季度自查 / 开始写半年报告 open the self-check or report of the
period the reminder names (older messages' buttons, without a period, start /selfcheck or /report)."""

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
from handlers.official import send_my_page
from storage.models import OFFICIAL_ROLES, Role

FLOWS = {"selfcheck": selfcheck.start, "report": report.start}
OPENERS = {"selfcheck": selfcheck.open_quarter, "report": report.open_half}


class Flow(CallbackData, prefix="flow"):
    """An older reminder's button: which review to start (packs as flow:selfcheck, flow:report)."""

    name: str


class Review(CallbackData, prefix="review"):
    """A reminder's button for one period's review (packs as bot.texts.reminders.review_button's
    data: review:selfcheck:2026-Q4, review:report:2026-H2)."""

    name: str
    period: str


async def _not_official(
    query: CallbackQuery,
    name: str,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Someone without a self-check or report of their own: what to do, then their list to
    review as /my's first page (the counts first, the rest behind 下一页 »)."""
    await query.answer()
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    await notifier.send(query.from_user.id, words.review_intro(name))
    await send_my_page(query.from_user.id, person, ledger, 0, notifier)


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
    flow = FLOWS.get(callback_data.name)
    if flow is not None and person.roles & OFFICIAL_ROLES:
        await query.answer()
        await flow(query.from_user.id, person, session, clock, zone, notifier)
        return
    await _not_official(query, callback_data.name, person, session, clock, zone, notifier)


async def open_review(
    query: CallbackQuery,
    callback_data: Review,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """An official opens the named period's self-check or report (resumed, or begun; a period
    that may not be opened gets an alert); anyone else sees their list."""
    opener = OPENERS.get(callback_data.name)
    if opener is not None and person.roles & OFFICIAL_ROLES:
        await opener(query, callback_data.period, person, session, clock, zone, notifier)
        return
    await _not_official(query, callback_data.name, person, session, clock, zone, notifier)


def build_router() -> Router:
    """The reminders' buttons, for officials and secretaries."""
    router = private_router("flows", Role.FIRST, Role.MEMBER, Role.DISCIPLINE, Role.SECRETARY)
    router.callback_query.register(start_flow, Flow.filter())
    router.callback_query.register(open_review, Review.filter())
    return router
