"""Outer update middlewares: one DB session per update (claimed exactly once) and the person behind it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import ORMExecuteState
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer, viewer_for
from bot.services.directory.recipients import standing_in_for
from bot.services.updates import (
    Handled,
    finish_claim,
    first_look,
    handled_state,
    stage_claim,
    take_cut_short,
    was_handled,
)
from bot.telegram.notifier import Notifier, release_database
from bot.telegram.webhook import dropped_as_duplicate

logger = logging.getLogger(__name__)
# seconds a redelivery of an unfinished update waits for a worker still replying to it
CUT_SHORT_WAITS = (0.5, 1.0, 1.5, 2.0)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Opens the update's session; the update's claim commits with the handler's effect, or not at all.

    - a second delivery of a handled update is dropped before any handler runs;
    - a handler that raises rolls back its work and the claim, so a redelivery is handled;
    - before the bot talks to Telegram (notify.release_database) the connection goes back to the
      pool: work already committed by a service stays; a claim nothing has committed yet is
      rolled back and staged again, so a read-only reply cut short by a crash is sent again
      rather than lost;
    - two workers racing on one update: the loser's commit fails on the claim and is dropped.

    The claim check and the sender's identity are read in one query (updates.first_look): it
    puts `person` into the data too, so IdentityMiddleware has nothing left to ask.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        sessions: async_sessionmaker[AsyncSession] = data["sessions"]
        clock: Clock = data["clock"]
        update_id = event.update_id
        user: User | None = data.get("event_from_user")
        async with sessions() as session:
            handled, person = await first_look(
                session, update_id=update_id, telegram_id=None if user is None else user.id
            )
            if handled is Handled.CUT_SHORT:  # its effect committed, its reply maybe never sent
                await _tell_cut_short(session, sessions, event, data, update_id)
                dropped_as_duplicate()
                return None
            if handled is Handled.FINISHED:
                logger.info("update %s was delivered again; dropped", update_id)
                dropped_as_duplicate()
                return None
            data["person"] = person
            claim = stage_claim(session, update_id=update_id, now=clock.now())
            wrote = _watch_writes(session)

            async def release() -> None:
                nonlocal claim
                if (
                    not wrote[0]
                    and claim in session.new
                    and len(session.new) == 1
                    and not session.dirty
                    and not session.deleted
                ):
                    await session.rollback()  # nothing written yet: free the connection
                    claim = stage_claim(session, update_id=update_id, now=clock.now())
                else:
                    await session.commit()

            data["session"] = session
            token = release_database.set(release)
            try:
                result = await handler(event, data)
                finish_claim(claim)
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                async with sessions() as fresh:
                    duplicate = await was_handled(fresh, update_id=update_id)
                if duplicate:
                    logger.info("update %s was handled by another worker; dropped", update_id)
                    dropped_as_duplicate()
                    return None
                raise exc from None
            except Exception:
                await session.rollback()
                ours = inspect(claim).has_identity  # our claim committed: the failure is ours
                if not ours and await _handled_meanwhile(sessions, update_id):
                    # another worker got the same update and committed first: what failed here
                    # (an invite already used, a proposal already decided) is its doing
                    logger.info("update %s was handled by another worker; dropped", update_id)
                    dropped_as_duplicate()
                    return None
                raise
            except BaseException:
                await session.rollback()
                raise
            finally:
                release_database.reset(token)
            return result


async def _tell_cut_short(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    event: Update,
    data: dict[str, Any],
    update_id: int,
) -> None:
    """A redelivered update whose handling committed its effect and then stopped (a worker
    killed, a failure while replying): the effect stands and is not made again; its sender,
    in a private chat, is told that the reply may have been lost and where to look."""
    for pause in CUT_SHORT_WAITS:  # another worker may still be replying to it: let it end
        await asyncio.sleep(pause)
        async with sessions() as fresh:
            if await handled_state(fresh, update_id=update_id) is not Handled.CUT_SHORT:
                logger.info("update %s was handled by another worker; dropped", update_id)
                return
    logger.warning("update %s was cut short after its work committed; delivered again", update_id)
    await session.rollback()  # a fresh look for the conditional UPDATE
    if not await take_cut_short(session, update_id=update_id):
        return  # another delivery of it is telling them
    user: User | None = data.get("event_from_user")
    chat = data.get("event_chat")
    private = chat is None or getattr(chat, "type", "private") == "private"
    notifier: Notifier | None = data.get("notifier")
    if user is not None and private and notifier is not None:
        await notifier.send(user.id, texts.CUT_SHORT)


async def _handled_meanwhile(sessions: async_sessionmaker[AsyncSession], update_id: int) -> bool:
    """After a failure: was the update's claim committed by another worker meanwhile? (False
    when the database cannot say: the original failure stands.)"""
    try:
        async with sessions() as fresh:
            return await was_handled(fresh, update_id=update_id)
    except Exception:
        return False


def _watch_writes(session: AsyncSession) -> list[bool]:
    """A flag raised by any INSERT, UPDATE or DELETE statement run through the session: such
    writes (a conditional UPDATE, a bulk insert) appear neither in `session.new` nor in
    `session.dirty`, and the sessions do not autoflush, so `release` must not take the
    update for read-only and roll them back."""
    wrote = [False]

    def mark(state: ORMExecuteState) -> None:
        if not state.is_select:
            wrote[0] = True

    event.listen(session.sync_session, "do_orm_execute", mark)
    return wrote


def _may_stand_in(event: TelegramObject) -> bool:
    """Whom a person stands in for (leave) matters to what a reply or a button records; a new
    message records only the sender's own items, so it costs no query."""
    update = event if isinstance(event, Update) else None
    if update is None:
        return False
    if update.callback_query is not None:
        return True
    message = update.message or update.edited_message
    return message is not None and message.reply_to_message is not None


class IdentityMiddleware(BaseMiddleware):
    """Puts `person` (a Viewer, or None for strangers and deactivated people) into the data.

    DbSessionMiddleware has read it with the update's claim; it is looked up here only when
    that did not happen. Never cached: an unbound or deactivated person is seen at once.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if "person" not in data:
            user: User | None = data.get("event_from_user")
            session: AsyncSession = data["session"]
            data["person"] = (
                None if user is None else await viewer_for(session, telegram_id=user.id)
            )
        person: Viewer | None = data["person"]
        if person is not None and "zone" in data and _may_stand_in(event):
            today = local_date(data["clock"].now(), data["zone"])
            absent, teams = await standing_in_for(
                data["session"], person_id=person.person_id, today=today
            )
            if absent:
                data["person"] = replace(person, stands_in_for=absent, stands_in_teams=teams)
        return await handler(event, data)
