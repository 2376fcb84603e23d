"""The buttons of a proposal (确认 / 改选 / 其他 / 取消, a chosen item) and of a record (撤销)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records import proposal_state
from bot.services.records import proposals as recording
from bot.services.records import writing as records
from bot.services.records.choices import Choice, choice_by_id, choices_for, pickable
from bot.services.records.days import typed_day
from bot.services.records.input_text import clean_text
from bot.services.records.matcher import Outcome
from bot.services.records.proposals import Recorded
from bot.services.records.storing import Proposed
from bot.services.replies import Meaning, ReplyKind, remember
from bot.telegram.notifier import Notifier, split_text
from bot.texts import alert
from bot.texts import records as words
from bot.texts.labels import button_label
from handlers.filters import IsBound
from handlers.records import RecordCb
from handlers.replies import Invites, RepliesToBot
from storage.models import Proposal, ProposalState

MAX_BUTTONS = 24


class ProposalCb(CallbackData, prefix="rc"):
    """A proposal's button: ok (确认), alt (改选: every item), no (取消), pick (this item),
    day (改日期: a prompt whose reply sets the day)."""

    id: int
    act: str
    due: int = 0


class UndoCb(CallbackData, prefix="ru"):
    """撤销 a record (within ten minutes)."""

    id: int


def _proposal_keyboard(proposals: list[Proposal]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    first = proposals[0].id or 0
    kb.button(
        text="确认全部" if len(proposals) > 1 else "确认",
        callback_data=ProposalCb(id=first, act="ok"),
    )
    if len(proposals) > 1:
        for n, part in enumerate(proposals, 1):
            kb.button(text=f"改选第{n}条", callback_data=ProposalCb(id=part.id or 0, act="alt"))
    else:
        kb.button(text="改选", callback_data=ProposalCb(id=first, act="alt"))
    kb.button(text="改日期", callback_data=ProposalCb(id=first, act="day"))
    kb.button(text="取消", callback_data=ProposalCb(id=first, act="no"))
    kb.adjust(4 if len(proposals) == 1 else 1)
    return kb.as_markup()


def _pick_keyboard(
    proposal: Proposal, choices: list[Choice], *, other: bool
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    choices = pickable(choices)[:MAX_BUTTONS]
    periods = words.two_periods(choices)
    for n, choice in enumerate(choices, 1):
        label = button_label(choice.code, choice.content, periods.get(choice.due_item_id, ""))
        kb.button(
            text=f"{n}.{label}" if other else label,
            callback_data=ProposalCb(id=proposal.id or 0, act="pick", due=choice.due_item_id),
        )
    if other:
        kb.button(text="其他", callback_data=ProposalCb(id=proposal.id or 0, act="alt"))
    kb.button(text="取消", callback_data=ProposalCb(id=proposal.id or 0, act="no"))
    kb.adjust(1)
    return kb.as_markup()


def render_proposed(result: Proposed, zone: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply to a matched sentence, with its buttons; parts that became no proposal are
    named after it, each with why."""
    text, markup = _render(result)
    if result.skipped and result.outcome is not Outcome.NOT_COMPLETION:
        text = f"{text}\n\n{words.skipped(result.skipped)}"
    return text, markup


def _render(result: Proposed) -> tuple[str, InlineKeyboardMarkup | None]:
    if result.outcome is Outcome.NOT_COMPLETION:
        return words.not_completion(result.intent), None
    proposals = result.proposals
    first = proposals[0]
    if result.outcome is Outcome.SPLIT:
        return _render_batch(proposals, result.choices)
    if result.outcome is Outcome.UNSURE:
        return words.unsure(result.offered, first.text), _pick_keyboard(
            first, result.offered, other=True
        )
    if result.outcome is Outcome.NO_MATCH or first.chosen_id is None:
        everything = sorted(result.choices.values(), key=lambda c: (c.done, c.code))
        text = words.choose_from_all(first.text, file_kind=first.file_kind)
        return text, _pick_keyboard(first, everything, other=False)
    return _render_batch(proposals, result.choices)


def _render_batch(
    proposals: list[Proposal], choices: dict[int, Choice]
) -> tuple[str, InlineKeyboardMarkup]:
    if len(proposals) == 1:
        choice = choices[proposals[0].chosen_id or 0]
        only = proposals[0]
        return words.proposal(choice, only.text, only.happened_on), _proposal_keyboard(proposals)
    picked = [(choices.get(p.chosen_id or 0), p.text, p.happened_on) for p in proposals]
    return words.split(picked), _proposal_keyboard(proposals)


def render_recorded(done: list[Recorded]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The confirmation of stored records, with 撤销 for each fresh one."""
    kb = InlineKeyboardBuilder()
    fresh = [r for r in done if r.fresh]
    for r in fresh:
        label = "撤销" if len(fresh) == 1 else f"撤销 #{r.record.id}"
        kb.button(text=label, callback_data=UndoCb(id=r.record.id or 0))
    late = [r for r in fresh if r.late_days]
    if late:  # its prompt stores that a reply to it is this record's 逾期说明
        kb.button(text="补逾期说明", callback_data=RecordCb(id=late[0].record.id or 0, act="late"))
    return words.recorded(done), kb.as_markup() if fresh else None


async def on_proposal(
    query: CallbackQuery,
    callback_data: ProposalCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """确认 records once; 改选 lists every item; a picked item becomes the proposal; 取消."""
    now, pid = clock.now(), callback_data.id
    message = query.message if isinstance(query.message, Message) else None
    chat = message.chat.id if message else query.from_user.id
    if callback_data.act == "ok":
        done = await recording.confirm(session, proposal_id=pid, viewer=person, now=now, zone=zone)
        fresh = any(r.fresh for r in done)
        text, markup = render_recorded(done)  # before release: a read-only press rolls back
        await notifier.release()  # the record is committed before Telegram is asked anything
        if not fresh:  # a second press: the message already shows the confirmation
            await query.answer(alert(text), show_alert=True)
            return
        await query.answer(words.RECORDED_NOTICE)
        if message and len(split_text(text)) == 1:  # the proposal itself becomes the answer
            if await notifier.edit(chat, message.message_id, text, reply_markup=markup):
                return
        elif message:  # too long for one message: the rest follows
            await notifier.edit(chat, message.message_id, words.proposal_closed())
        await notifier.send(chat, text, reply_markup=markup)
        return
    if callback_data.act == "day":
        proposal = await proposal_state.load_proposal(session, proposal_id=pid, viewer=person)
        if proposal.state is not ProposalState.OPEN:
            raise RecordRefused(RecordProblem.STALE)
        await query.answer()
        prompt = ForceReply(force_reply=True, input_field_placeholder="如 12月28日、昨天")
        sent = await notifier.send(
            chat, words.day_prompt(proposal.happened_on), reply_markup=prompt
        )
        if sent:
            await remember(
                session,
                chat_id=chat,
                message_id=sent[-1].message_id,
                kind=ReplyKind.PROPOSAL_DATE,
                person_id=person.person_id,
                ref_id=pid,
                now=now,
            )
        return
    if callback_data.act == "no":
        cancelled = await proposal_state.cancel(session, proposal_id=pid, viewer=person, now=now)
        await notifier.release()
        if cancelled.fresh:
            await query.answer(words.CANCELLED_NOTICE)
            if message:
                await notifier.edit(chat, message.message_id, words.CANCELLED)
        elif cancelled.state is ProposalState.CONFIRMED:  # 确认 came first: say it was recorded
            await query.answer(words.not_cancelled(cancelled.record_ids), show_alert=True)
        else:
            await query.answer(words.CANCELLED_BEFORE_NOTICE)
        return
    proposal = await proposal_state.load_proposal(session, proposal_id=pid, viewer=person)
    if callback_data.act == "alt":
        everything = await choices_for(session, viewer=person, now=now, zone=zone)
        await query.answer()
        if message:
            await notifier.edit(
                chat,
                message.message_id,
                words.reselect(proposal.text, file_kind=proposal.file_kind),
                reply_markup=_pick_keyboard(proposal, everything, other=False),
            )
        return
    picked, _choice = await proposal_state.choose(
        session, proposal_id=pid, due_item_id=callback_data.due, viewer=person, now=now, zone=zone
    )
    parts = await proposal_state.batch_of(session, proposal=picked)
    choices: dict[int, Choice] = {}
    for part in parts:
        found = await choice_by_id(session, viewer=person, due_item_id=part.chosen_id or 0)
        if found is not None:
            choices[found.due_item_id] = found
    await notifier.release()
    await query.answer()
    if message and (len(parts) > 1 or (picked.chosen_id or 0) in choices):
        text, markup = _render_batch(parts, choices)
        await notifier.edit(chat, message.message_id, text, reply_markup=markup)


async def on_undo(
    query: CallbackQuery,
    callback_data: UndoCb,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
) -> None:
    """撤销: a row voiding the record's chain, within ten minutes, once; says what the item is now."""
    added = await records.undo(session, record_id=callback_data.id, viewer=person, now=clock.now())
    await notifier.release()
    await query.answer("已撤销" if added.fresh else "已撤销过")
    chat = query.message.chat.id if query.message else query.from_user.id
    if added.fresh:
        text = words.undone(
            callback_data.id,
            fresh=added.fresh,
            voided_id=added.voided_id,
            still_done=added.still_done,
        )
        await notifier.send(chat, text)


async def on_day_reply(
    message: Message,
    meaning: Meaning,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The day typed in reply to 改日期: the proposal is shown again on that day."""
    now = clock.now()
    day = typed_day(clean_text(message.text), now=now, zone=zone)
    parts = await proposal_state.set_day(
        session, proposal_id=meaning.ref_id or 0, viewer=person, day=day
    )
    choices: dict[int, Choice] = {}
    for part in parts:
        found = await choice_by_id(session, viewer=person, due_item_id=part.chosen_id or 0)
        if found is not None:
            choices[found.due_item_id] = found
    if all((p.chosen_id or 0) in choices for p in parts):
        text, markup = _render_batch(parts, choices)
    else:
        text, markup = words.day_changed(day), _proposal_keyboard(parts)
    await notifier.send(message.chat.id, text, reply_markup=markup, reply_to=message.message_id)


def build_router() -> Router:
    """The proposals' and records' buttons, for any bound person (the services check ownership)."""
    router = Router(name="proposals")
    router.message.register(
        on_day_reply, RepliesToBot(), IsBound(), Invites(ReplyKind.PROPOSAL_DATE), F.text
    )
    router.callback_query.filter(IsBound())
    router.callback_query.register(on_proposal, ProposalCb.filter())
    router.callback_query.register(on_undo, UndoCb.filter())
    return router
