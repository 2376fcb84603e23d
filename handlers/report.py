"""Officials: /report compiles the half-year report; 写结束语 by reply, 提交 sends a .docx and a summary."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import SYSTEM_REPORT, local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import DraftStale, Stale
from bot.services.exports.report_docx import build_docx
from bot.services.ledger.review_periods import offered_periods
from bot.services.plain_text import strip_controls
from bot.services.records import report as service
from bot.services.replies import Meaning, ReplyKind, remember
from bot.telegram.notifier import Notifier
from bot.texts import report as words
from handlers.filters import private_router
from handlers.paging import PageCb
from handlers.replies import Invites, RepliesToBot
from handlers.report_pages import RP, VIEW, button, show, show_submitted, turn_page
from storage.models import OFFICIAL_ROLES


async def start(
    chat: int,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/report or an old reminder's 开始写半年报告: resume the open draft, pick a half-year (an
    overdue one first), or begin."""
    now = clock.now()
    today = local_date(now, zone)
    draft = await service.open_report(session, person_id=person.person_id)
    if draft is not None and draft.id is not None:
        paper = await service.load_paper(session, viewer=person, report_id=draft.id)
        await show(notifier, chat, paper, person, session, today=today, resumed=True)
        return
    offered = await offered_periods(
        session, person_id=person.person_id, system=SYSTEM_REPORT, today=today
    )
    if len(offered) == 1:
        key = offered[0].key
        paper = await service.begin(session, viewer=person, period_key=key, now=now, today=today)
        await show(notifier, chat, paper, person, session, today=today)
        return
    rows = [
        [button(texts.period_label(period), RP(action="h", value=period.key))] for period in offered
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    await notifier.send(chat, words.CHOOSE_HALF, reply_markup=markup)


async def open_half(
    query: CallbackQuery,
    period_key: str,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A reminder's 开始写半年报告（half-year）: that half-year's draft, resumed or begun."""
    now = clock.now()
    today = local_date(now, zone)
    try:
        paper = await service.begin(
            session, viewer=person, period_key=period_key, now=now, today=today
        )
    except DraftStale as stale:
        await query.answer(texts.alert(words.STALE[stale.why]), show_alert=True)
        return
    await query.answer()
    await show(notifier, query.from_user.id, paper, person, session, today=today)


async def report(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/report — 半年报告."""
    await start(message.chat.id, person, session, clock, zone, notifier)


async def press(
    query: CallbackQuery,
    callback_data: RP,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Every report button; a stale, doubled or forged one gets an alert and changes nothing."""
    chat, now, data = query.from_user.id, clock.now(), callback_data
    at: dict[str, Any] = {"viewer": person, "report_id": data.id}
    try:
        if data.action == "h":
            today = local_date(now, zone)
            paper = await service.begin(
                session, viewer=person, period_key=data.value, now=now, today=today
            )
        elif data.action == "close":
            paper = await service.load_paper(session, **at)
            service.still_open(paper)
            await query.answer()
            prompt = ForceReply(force_reply=True, input_field_placeholder="结束语")
            sent = await notifier.send(chat, words.closing_prompt(paper), reply_markup=prompt)
            if sent:  # a reply to it is this report's closing
                await remember(
                    session,
                    chat_id=chat,
                    message_id=sent[-1].message_id,
                    kind=ReplyKind.REPORT_CLOSING,
                    person_id=person.person_id,
                    ref_id=data.id,
                    now=now,
                )
            return
        elif data.action == "stop":
            paper = await service.cancel(session, **at)
            await query.answer()
            await notifier.send(chat, words.cancelled(paper))
            return
        elif data.action == "ok":
            await _submit(query, person, session, notifier, data.id, local_date(now, zone), now)
            return
        else:
            raise DraftStale(Stale.GONE)
    except DraftStale as stale:
        await query.answer(texts.alert(words.STALE[stale.why]), show_alert=True)
        return
    await query.answer()
    await show(notifier, chat, paper, person, session, today=local_date(now, zone))


async def _submit(
    query: CallbackQuery,
    person: Viewer,
    session: AsyncSession,
    notifier: Notifier,
    report_id: int,
    today: date,
    now: datetime,
) -> None:
    """提交: store the compiled body once, then send the .docx and the summary (the text behind
    pages)."""
    paper = await service.load_paper(session, viewer=person, report_id=report_id)
    compiled = await service.compile_half(session, viewer=person, period=paper.period, today=today)
    sections = words.outline(compiled)
    paper = await service.submit(
        session,
        viewer=person,
        report_id=report_id,
        body=words.body(sections),
        today=today,
        now=now,
    )
    await query.answer()
    chat = query.from_user.id
    if paper.fresh:
        data = await asyncio.to_thread(  # python-docx is CPU-bound: off the event loop
            build_docx,
            title=words.title(paper.period),
            header=words.header(person, paper.period),
            sections=sections,
            closing_title=words.CLOSING_TITLE,
            closing=paper.closing,
        )
        name = words.file_name(person, paper)
        await notifier.send_document(chat, data=data, filename=name, caption=words.caption(paper))
    await show_submitted(notifier, chat, paper, person, compiled)


async def closing_reply(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The closing paragraph typed as a reply to the prompt; then the draft again."""
    chat, closing = message.chat.id, strip_controls(message.text or "").strip()
    if not closing:
        await notifier.send(chat, words.CLOSING_EMPTY)
        return
    if len(closing) > service.CLOSING_LIMIT:
        await notifier.send(chat, words.closing_too_long(service.CLOSING_LIMIT, len(closing)))
        return
    try:
        paper = await service.set_closing(
            session, viewer=person, report_id=meaning.ref_id or 0, closing=closing
        )
    except DraftStale as stale:
        gone = stale.why in (Stale.SUBMITTED, Stale.CANCELLED)
        await notifier.send(chat, words.NO_DRAFT_CLOSING if gone else words.STALE[stale.why])
        return
    await show(notifier, chat, paper, person, session, today=local_date(clock.now(), zone))


def build_router() -> Router:
    """The report router, guarded once for officials; it sees closing replies before records do."""
    router = private_router("report", *OFFICIAL_ROLES)
    router.message.register(report, Command("report"))
    closings = Invites(ReplyKind.REPORT_CLOSING)
    router.message.register(closing_reply, RepliesToBot(), closings, F.text)
    router.callback_query.register(press, RP.filter())
    router.callback_query.register(turn_page, PageCb.filter(F.view == VIEW))
    return router
