"""Plain-Chinese questions ("谁还没交季度自查", "张三还差什么") answered from the outstanding items."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import Message
from sqlalchemy import ColumnElement, and_, true
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.directory.naming import labels_apart
from bot.services.ledger.status import mine
from bot.services.oversight.pending import (
    UnitRef,
    held_items,
    of_items,
    of_person,
    own_pending,
    people_named,
    quarter_progress,
    unit_names,
    unit_of,
    unit_pending,
    unit_ref,
)
from bot.services.oversight.questions import Kind, Question, meaning, parse_question
from bot.services.records.matcher import Matcher
from bot.telegram.notifier import Notifier
from bot.texts import pending as words
from handlers.filters import private_router
from handlers.pending import categories, checked_unit, show_pending
from storage.models import Holding, Role


class AsksAboutPending(Filter):
    """Passes {"question": …} when the text asks about outstanding items; else the message goes
    on to the record matcher. Replies to the bot are left alone (they answer its prompts: 自查说明,
    更正, 结束语 …). Only a sentence the intent table flags costs a database read."""

    async def __call__(
        self, message: Message, matcher: Matcher, person: Viewer | None, session: AsyncSession
    ) -> bool | dict[str, Any]:
        text, replied = message.text or "", message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
            return False
        if person is None or text.startswith("/") or meaning(matcher, text) is None:
            return False
        scope = None if person.is_admin else person.unit_id
        question = parse_question(
            matcher,
            text,
            names=await people_named(session, unit_id=scope),
            items=await held_items(session, unit_id=scope),
            units=await unit_names(session),
        )
        return False if question is None else {"question": question}


async def answer(
    message: Message,
    question: Question,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Answer within the asker's scope: a 联络员 their unit, an official their own items, an
    admin the unit named (or the person's, or one chosen by buttons)."""
    chat = message.chat.id
    if not person.is_admin and Role.SECRETARY not in person.roles:
        await _official(chat, question, person, session, clock, zone, notifier)
        return
    unit = await _unit(question, person, session)
    if unit is None:
        if question.name and not question.person_ids:
            await notifier.send(chat, words.unknown_name(question.name, None))
        elif question.name and len(question.person_ids) > 1:
            await notifier.send(chat, words.ambiguous_name(question.name))
        else:
            await notifier.send(chat, words.ASK_ADMIN_UNIT, reply_markup=categories("p"))
        return
    if refusal := await checked_unit(person, unit, session):
        await notifier.send(chat, refusal)
        return
    if question.unit_code and question.unit_code.upper() != unit.code.upper():
        await notifier.send(chat, words.own_unit_only(question.unit_name, unit))
    now = clock.now()
    narrow = of_items(question.items) if question.items else true()
    if question.name:
        ids = question.person_ids
        if not ids:
            where = unit if person.is_admin else None
            await notifier.send(chat, words.unknown_name(question.name, where))
            return
        labels = await labels_apart(session, person_ids=ids)  # namesakes: each, told apart
        for person_id in ids:
            scope = and_(of_person(person_id), narrow)
            who = labels.get(person_id, question.name)
            await _scoped(chat, question, unit, scope, who, session, now, zone, notifier)
        return
    if question.own and not person.is_admin:
        own = and_(mine(person), narrow)
        await _scoped(chat, question, unit, own, "您本人", session, now, zone, notifier)
        return
    scope = and_(col(Holding.unit_id) == unit.unit_id, narrow)
    await _scoped(chat, question, unit, scope, None, session, now, zone, notifier)


async def _scoped(
    chat: int,
    question: Question,
    unit: UnitRef,
    scope: ColumnElement[bool],
    who: str | None,
    session: AsyncSession,
    now: datetime,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """The answer within one scope: a person's (`who`), "您本人", or the unit's (None)."""
    if question.kind is Kind.QUARTER_PROGRESS:
        found = await quarter_progress(session, where=scope, now=now, zone=zone)
        await notifier.send(chat, words.progress(who or unit.name, found))
        return
    if who is None and question.kind is Kind.UNIT_PENDING:
        listed = await unit_pending(session, unit=unit, now=now, zone=zone)
        await show_pending(chat, listed, 0, notifier)
        return
    listed = await unit_pending(session, unit=unit, now=now, zone=zone, where=scope)
    if who is None:
        await notifier.send(chat, words.who_missing(listed, list(question.items)))
        return
    await show_pending(chat, listed, 0, notifier, who=who, paged=False)


async def _unit(question: Question, person: Viewer, session: AsyncSession) -> UnitRef | None:
    """The unit a question is about: a 联络员's own (or one they named); an admin's named one,
    or the unit of the one person named."""
    if person.is_admin and question.unit_code:
        return await unit_ref(session, code=question.unit_code)
    if not person.is_admin:  # a 联络员 asks about her own unit, whichever she names
        return await unit_ref(session, unit_id=person.unit_id)
    if len(question.person_ids) == 1:
        return await unit_of(session, person_id=question.person_ids[0])
    return None


async def _official(
    chat: int,
    question: Question,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """Officials see only their own items, whatever they ask."""
    if question.name and question.name != person.name:
        refusal = (
            words.not_own_name(question.name)
            if question.person_ids
            else words.unknown_name(question.name, None)
        )
        await notifier.send(chat, refusal)
        return
    now = clock.now()
    narrow: ColumnElement[bool] = of_items(question.items) if question.items else true()
    if question.kind is Kind.QUARTER_PROGRESS:
        found = await quarter_progress(
            session, where=and_(mine(person), narrow), now=now, zone=zone
        )
        await notifier.send(chat, words.progress("您本人", found))
        return
    listed = await own_pending(session, viewer=person, now=now, zone=zone, where=narrow)
    await show_pending(chat, listed, 0, notifier, paged=not question.items)


def build_router() -> Router:
    """Questions from any bound person in a private chat; other text passes on untouched."""
    router = private_router(
        "asking", Role.FIRST, Role.MEMBER, Role.DISCIPLINE, Role.SECRETARY, Role.ADMIN
    )
    router.message.register(answer, F.text, AsksAboutPending())
    return router
