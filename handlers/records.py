"""/records: the holder's 履责记实 with pages, and correcting one (text, item, 逾期说明, evidence)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records import writing as records
from bot.services.records.choices import choices_for
from bot.services.records.days import typed_day
from bot.services.records.input_text import clean_text
from bot.services.records.listing import RecordPage, record_view, records_page
from bot.services.replies import Meaning, ReplyKind, remember
from bot.telegram.notifier import Notifier
from bot.texts import record_pages as words
from handlers.filters import IsBound
from handlers.replies import Invites, RepliesToBot


class PageCb(CallbackData, prefix="rl"):
    """A page of /records."""

    page: int


class RecordCb(CallbackData, prefix="rr"):
    """A record's button: show, text (更正文字), date (更正日期), late (补逾期说明), item
    (更正事项), pick (that item), file."""

    id: int
    act: str
    due: int = 0


PROMPTS = {
    "text": ReplyKind.CORRECTION,
    "date": ReplyKind.RECORD_DATE,
    "late": ReplyKind.LATE_NOTE,
}


def _page_keyboard(page: RecordPage) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for view in page.views:
        kb.button(text=f"#{view.id} 详情/更正", callback_data=RecordCb(id=view.id, act="show"))
    nav = 0
    if page.page > 0:
        kb.button(text="‹ 较新", callback_data=PageCb(page=page.page - 1))
        nav += 1
    if page.page + 1 < page.pages:
        kb.button(text="较早 ›", callback_data=PageCb(page=page.page + 1))
        nav += 1
    kb.adjust(*([1] * len(page.views)), max(nav, 1))
    return kb.as_markup()


async def show_records(
    message: Message, person: Viewer, session: AsyncSession, zone: ZoneInfo, notifier: Notifier
) -> None:
    """/records — the newest records first, five a page."""
    page = await records_page(session, viewer=person, page=0)
    markup = _page_keyboard(page) if page.total else None
    await notifier.send(message.chat.id, words.records_page(page, zone), reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    person: Viewer,
    session: AsyncSession,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    page = await records_page(session, viewer=person, page=callback_data.page)
    await query.answer()
    if isinstance(query.message, Message):
        await notifier.edit(
            query.message.chat.id,
            query.message.message_id,
            words.records_page(page, zone),
            reply_markup=_page_keyboard(page) if page.total else None,
        )


async def on_record(
    query: CallbackQuery,
    callback_data: RecordCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A record's card and its corrections."""
    view = await record_view(session, viewer=person, record_id=callback_data.id)
    if view is None:
        raise RecordRefused(RecordProblem.STALE)
    chat, act = query.from_user.id, callback_data.act
    if act == "show":
        kb = InlineKeyboardBuilder()
        mine = view.author_id == person.person_id and not view.system  # ZC/BG: by 提交 only
        if mine and not view.voided and not view.corrected_by:
            kb.button(text="更正文字", callback_data=RecordCb(id=view.id, act="text"))
            kb.button(text="改为其他事项", callback_data=RecordCb(id=view.id, act="item"))
            kb.button(text="更正日期", callback_data=RecordCb(id=view.id, act="date"))
        if view.file_id:
            kb.button(text="📎 查看附件", callback_data=RecordCb(id=view.id, act="file"))
        kb.adjust(2)
        await query.answer()
        await notifier.send(chat, words.record_card(view, zone), reply_markup=kb.as_markup())
    elif act in PROMPTS:
        if act != "late":
            records.refuse_system(view.system)
        await query.answer()
        kind = PROMPTS[act]
        prompt = {
            ReplyKind.CORRECTION: words.fix_prompt(view.id),
            ReplyKind.RECORD_DATE: words.record_day_prompt(view.id, view.happened_on),
            ReplyKind.LATE_NOTE: words.late_prompt(view.id),
        }[kind]
        sent = await notifier.send(chat, prompt, reply_markup=ForceReply())
        if sent:
            await remember(
                session,
                chat_id=chat,
                message_id=sent[-1].message_id,
                kind=kind,
                person_id=person.person_id,
                ref_id=view.id,
                now=clock.now(),
            )
    elif act == "item":
        records.refuse_system(view.system)
        kb = InlineKeyboardBuilder()
        for choice in await choices_for(session, viewer=person, now=clock.now(), zone=zone):
            if choice.system is None:
                data = RecordCb(id=view.id, act="pick", due=choice.due_item_id)
                kb.button(text=f"【{choice.code}】{choice.content}"[:40], callback_data=data)
        kb.adjust(1)
        await query.answer()
        await notifier.send(chat, words.choose_item_for_fix(view.id), reply_markup=kb.as_markup())
    elif act == "pick":
        added, _ = await records.correct(
            session,
            record_id=view.id,
            viewer=person,
            now=clock.now(),
            due_item_id=callback_data.due,
        )
        await notifier.release()
        await query.answer("已更正")
        await notifier.send(chat, words.corrected(view.id, added.record.id or 0, "事项"))
    elif act == "file":
        await query.answer()
        if not view.file_id:
            await notifier.send(chat, words.NO_EVIDENCE)
        else:
            await notifier.send_file(chat, file_id=view.file_id, kind=view.file_kind or "document")
    else:
        raise RecordRefused(RecordProblem.STALE)


async def on_marked_reply(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """A reply to a 更正 prompt (new text or day) or to a late record's confirmation (its
    逾期说明): the record it was stored for gets a correcting row."""
    text = clean_text(message.text or message.caption)
    record_id, now = meaning.ref_id or 0, clock.now()
    if meaning.kind is ReplyKind.CORRECTION:
        added, _ = await records.correct(
            session, record_id=record_id, viewer=person, now=now, text=text
        )
        reply = words.corrected(record_id, added.record.id or 0, "文字")
    elif meaning.kind is ReplyKind.RECORD_DATE:
        day = typed_day(text, now=now, zone=zone)
        added, _ = await records.correct(
            session, record_id=record_id, viewer=person, now=now, happened_on=day
        )
        reply = words.corrected(record_id, added.record.id or 0, "日期")
    else:
        added, _ = await records.correct(
            session, record_id=record_id, viewer=person, now=now, late_reason=text
        )
        reply = words.late_saved(added.record.id or 0)
    await notifier.send(message.chat.id, reply, reply_to=message.message_id)


def build_router() -> Router:
    """/records and corrections, for any bound person (ownership is checked by the services)."""
    router = Router(name="records")
    private = F.chat.type == "private"
    router.message.register(show_records, private, IsBound(), Command("records"))
    marked = Invites(ReplyKind.CORRECTION, ReplyKind.RECORD_DATE, ReplyKind.LATE_NOTE)
    router.message.register(on_marked_reply, RepliesToBot(), IsBound(), marked, F.text)
    router.callback_query.filter(IsBound())
    router.callback_query.register(turn_page, PageCb.filter())
    router.callback_query.register(on_record, RecordCb.filter())
    return router
