"""The 半年报告 as the chat shows it: a summary with its buttons, the body behind « 上一页 / 下一页 »."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import DraftStale, Stale
from bot.services.records import report as service
from bot.services.records.report import Compiled, Paper
from bot.telegram.notifier import Notifier
from bot.texts import paging
from bot.texts import report as words
from bot.texts import report_pages as pages_words
from handlers.paging import PageCb, answer_turn, page_row, refused
from storage.models import DraftState

VIEW = "report"  # PageCb.view of the body's pages; arg: the report's id


class RP(CallbackData, prefix="rp"):
    """A report button: h (pick the half-year), close (写结束语), ok (提交), stop (取消)."""

    action: str
    id: int = 0
    value: str = ""


def button(label: str, data: RP) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())


def _actions(paper: Paper) -> list[InlineKeyboardButton]:
    """写结束语 / 提交 / 取消, on the draft's summary and on each page of its body."""
    return [
        button(words.BUTTON_CLOSING, RP(action="close", id=paper.id)),
        button(words.BUTTON_SUBMIT, RP(action="ok", id=paper.id)),
        button(words.BUTTON_CANCEL, RP(action="stop", id=paper.id)),
    ]


def _to_body(owner: int, paper: Paper) -> list[InlineKeyboardButton]:
    """下一页 » from a summary to the body's first page."""
    data = PageCb(view=VIEW, owner=owner, arg=str(paper.id), page=0)
    return [InlineKeyboardButton(text=paging.NEXT, callback_data=data.pack())]


async def show(
    notifier: Notifier,
    chat: int,
    paper: Paper,
    person: Viewer,
    session: AsyncSession,
    *,
    today: date,
    resumed: bool = False,
) -> None:
    """The draft compiled afresh as of `today`: its summary, 写结束语 / 提交 / 取消, 下一页 »."""
    compiled = await service.compile_half(session, viewer=person, period=paper.period, today=today)
    body = words.body(words.outline(compiled))
    pages = len(pages_words.body_pages(body, paper.closing))
    text = pages_words.draft_summary(paper, compiled, pages, resumed=resumed)
    rows = [_actions(paper), _to_body(person.person_id, paper)]
    await notifier.send(chat, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def show_submitted(
    notifier: Notifier, chat: int, paper: Paper, person: Viewer, compiled: Compiled
) -> None:
    """After 提交's .docx: the summary, and the stored text behind 下一页 »."""
    if not paper.fresh:
        await notifier.send(chat, words.already_submitted(paper))
        return
    pages = len(pages_words.body_pages(paper.body, paper.closing))
    text = pages_words.submitted_summary(person, paper, compiled, pages)
    markup = InlineKeyboardMarkup(inline_keyboard=[_to_body(person.person_id, paper)])
    await notifier.send(chat, text, reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A page of a report's body: a draft's compiled afresh (with its buttons), a submitted
    one's as stored; someone else's pages, or a cancelled draft's, are refused."""
    if await refused(query, callback_data, person):
        return
    try:
        report_id = int(callback_data.arg)
        paper = await service.load_paper(session, viewer=person, report_id=report_id)
    except (ValueError, DraftStale):  # a forged id, or not theirs
        paper = None
    if paper is None or paper.state is DraftState.CANCELLED:
        why = Stale.CANCELLED if paper is not None else Stale.GONE
        await query.answer(texts.alert(words.STALE[why]), show_alert=True)
        return
    body = paper.body
    if paper.state is DraftState.DRAFT:
        today = local_date(clock.now(), zone)
        compiled = await service.compile_half(
            session, viewer=person, period=paper.period, today=today
        )
        body = words.body(words.outline(compiled))
    pages = pages_words.body_pages(body, paper.closing)
    shown = paging.clamp(callback_data.page, len(pages))
    await answer_turn(query, callback_data.page, shown)
    text = pages_words.body_page(paper, pages[shown], shown, len(pages))
    rows = [page_row(VIEW, person.person_id, shown, len(pages), callback_data.arg)]
    if paper.state is DraftState.DRAFT:
        rows.insert(0, _actions(paper))
    kept = [row for row in rows if row]
    markup = InlineKeyboardMarkup(inline_keyboard=kept) if kept else None
    await notifier.send(query.from_user.id, text, reply_markup=markup)
