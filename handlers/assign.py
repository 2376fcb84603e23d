"""交办督办 for admins: /assign (unit → holder → the task typed as a reply) and /assigned (tracking, reminders)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow
from bot.services.directory.identity import Viewer
from bot.services.oversight import tracking
from bot.services.oversight.assign import Choice, assign_task, holders, unit_and_holder, units
from bot.services.oversight.assign_parse import AssignProblem, parse_task
from bot.services.oversight.assign_store import draft_of, start_draft
from bot.services.replies import ReplyKind, meaning_of, remember
from bot.telegram.notifier import Notifier
from bot.texts import assign as words
from handlers.filters import private_router
from storage.models import Role

ACTIONS = ("u", "p", "r", "pg")  # unit chosen, holder chosen, remind, page


class AssignButton(CallbackData, prefix="as"):
    """A 交办 button: `action` (see ACTIONS) on `target` (unit, person, due item id or page)."""

    action: str
    target: int


async def assign(message: Message, session: AsyncSession, notifier: Notifier) -> None:
    """/assign: the units to choose from."""
    found = await units(session)
    if not found:
        await notifier.send(message.chat.id, words.NO_UNITS)
        return
    builder = InlineKeyboardBuilder()
    for unit in found:
        builder.button(text=unit.name, callback_data=AssignButton(action="u", target=unit.id))
    builder.adjust(3)
    await notifier.send(message.chat.id, words.PICK_UNIT, reply_markup=builder.as_markup())


async def pressed(
    query: CallbackQuery,
    callback_data: AssignButton,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    window: SendingWindow | None = None,
) -> None:
    """Every 交办 button; forged or stale data gets an alert and changes nothing."""
    action, target, chat = callback_data.action, callback_data.target, query.from_user.id
    try:
        if action == "u":
            unit, _ = await unit_and_holder(session, unit_id=target)
            builder = InlineKeyboardBuilder()
            for index, choice in enumerate(await holders(session, unit_id=unit.id)):
                label = words.holder_button(choice, index == 0)
                builder.button(text=label, callback_data=AssignButton(action="p", target=choice.id))
            builder.adjust(1)
            await query.answer()
            await notifier.send(chat, words.pick_holder(unit), reply_markup=builder.as_markup())
        elif action == "p":
            unit, holder = await unit_and_holder(session, person_id=target)
            assert holder is not None
            await query.answer()
            await _prompt(session, clock, notifier, chat, person, unit, holder)
        elif action == "r":
            await _remind(query, target, person, session, clock, zone, window=window)
        elif action == "pg":
            text, markup = await _page(session, clock, zone, target)
            await query.answer()
            await notifier.send(chat, text, reply_markup=markup)
        else:
            await query.answer(words.STALE, show_alert=True)
    except AssignProblem:
        await query.answer(words.STALE, show_alert=True)


async def _prompt(
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
    chat: int,
    person: Viewer,
    unit: Choice,
    holder: Choice,
) -> None:
    """The ForceReply prompt, holding a draft its first good reply consumes."""
    now = clock.now()
    draft_id = await start_draft(
        session, actor_person_id=person.person_id, unit_id=unit.id, person_id=holder.id, now=now
    )
    force = ForceReply(input_field_placeholder="事项内容 / 截止日期 / 来源")
    sent = await notifier.send(chat, words.prompt(unit, holder), reply_markup=force)
    if sent:
        await remember(
            session,
            chat_id=chat,
            message_id=sent[-1].message_id,
            kind=ReplyKind.ASSIGN_TASK,
            person_id=person.person_id,
            ref_id=draft_id,
            now=now,
        )


async def task_reply(
    message: Message,
    bot: Bot,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The task and deadline typed as a reply to the bot's 交办 prompt."""
    reply = message.reply_to_message
    assert reply is not None
    from_bot = reply.from_user is not None and reply.from_user.id == bot.id
    now = clock.now()
    meaning = await meaning_of(session, chat_id=message.chat.id, message_id=reply.message_id)
    draft_id = meaning.ref_id if meaning and meaning.kind is ReplyKind.ASSIGN_TASK else None
    draft = await draft_of(session, draft_id=draft_id) if draft_id and from_bot else None
    try:
        if draft is None:
            raise AssignProblem("holder")
        if draft.item_code is not None:
            raise AssignProblem("used", draft.item_code)
        task = parse_task(message.text or "", today=local_date(now, zone))
        done = await assign_task(
            session,
            unit_id=draft.unit_id,
            person_id=draft.person_id,
            task=task,
            actor_person_id=person.person_id,
            now=now,
            zone=zone,
            draft_id=draft.id,
        )
    except AssignProblem as problem:
        if problem.code == "used" and not problem.value and draft is not None:
            made = await draft_of(session, draft_id=draft.id)  # the reply that came first
            problem = AssignProblem("used", (made.item_code if made else None) or "")
        await notifier.send(message.chat.id, words.refused(problem))
        return
    if done.telegram_id is not None:
        await notifier.send(done.telegram_id, words.holder_notice(done, person.name))
    await notifier.send(message.chat.id, words.assigned(done, done.telegram_id is not None))


async def assigned(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/assigned [页码]: the assigned tasks, open ones first, with 提醒 buttons."""
    arg = (command.args or "").strip()
    page = int(arg) - 1 if arg.isdigit() and int(arg) > 0 else 0
    text, markup = await _page(session, clock, zone, page)
    await notifier.send(message.chat.id, text, reply_markup=markup)


async def _page(
    session: AsyncSession, clock: Clock, zone: ZoneInfo, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    tasks = await tracking.tracked(session, now=clock.now(), zone=zone)
    shown, page, pages = tracking.page_of(tasks, page)
    counts: dict[tracking.State, int] = {}
    for task in tasks:
        if task.active:
            counts[task.state] = counts.get(task.state, 0) + 1
    text = words.tracking(shown, page, pages, len(tasks), counts)
    builder = InlineKeyboardBuilder()
    sizes = []
    for task in shown:
        if task.open:
            target = task.due_item_id
            builder.button(
                text=words.remind_button(task),
                callback_data=AssignButton(action="r", target=target),
            )
            sizes.append(1)
    nav = [(page - 1, "◀ 上一页"), (page + 1, "下一页 ▶")]
    moves = [(p, label) for p, label in nav if 0 <= p < pages]
    for target, label in moves:
        builder.button(text=label, callback_data=AssignButton(action="pg", target=target))
    if moves:
        sizes.append(len(moves))
    if not sizes:
        return text, None
    builder.adjust(*sizes)
    return text, builder.as_markup()


async def _remind(
    query: CallbackQuery,
    due_item_id: int,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    *,
    window: SendingWindow | None = None,
) -> None:
    now = clock.now()
    found = await tracking.tracked(session, now=now, zone=zone, due_item_id=due_item_id)
    if not found:
        raise AssignProblem("holder")
    task = found[0]
    if not task.open:
        await query.answer(words.REMIND_NOT_OPEN, show_alert=True)
        return
    if task.telegram_id is None:
        await query.answer(words.REMIND_UNBOUND.format(name=task.holder_name), show_alert=True)
        return
    text = words.reminder(task, person.name)
    fresh = await tracking.queue_reminder(
        session, task=task, text=text, now=now, zone=zone, window=window
    )
    answer = words.REMIND_QUEUED if fresh else words.REMIND_AGAIN
    await query.answer(answer.format(name=task.holder_name), show_alert=True)


def _is_task_reply(message: Message) -> bool:
    reply = message.reply_to_message
    return reply is not None and (reply.text or "").startswith(words.PROMPT_MARK)


def build_router() -> Router:
    """交办督办, guarded once for 管理员; its reply handler precedes the records' reply router."""
    router = private_router("assign", Role.ADMIN)
    router.message.register(assign, Command("assign"))
    router.message.register(assigned, Command("assigned"))
    router.message.register(task_reply, F.text, _is_task_reply)
    router.callback_query.register(pressed, AssignButton.filter())
    return router
