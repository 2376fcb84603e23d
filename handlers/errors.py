"""The error router: domain errors become a clear Chinese reply; anything else is logged in full."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ErrorEvent

from bot import texts
from bot.services import errors as e
from bot.telegram.notifier import Notifier
from bot.telegram.webhook import retried_later
from bot.texts import importing as import_texts
from bot.texts import leave as leave_texts
from bot.texts import ledger as ledger_texts
from bot.texts import records as record_texts

logger = logging.getLogger(__name__)


def reply_for(error: Exception) -> str:
    """The Chinese sentence for an exception (a generic one for the unexpected)."""
    if isinstance(error, e.TooManyAttempts):
        return texts.too_many_attempts(error.wait_minutes)
    if isinstance(error, e.AccountBoundElsewhere):
        return texts.bound_elsewhere(error.person_name)
    if isinstance(error, e.UnknownPerson):
        return texts.unknown_people(error.codes)
    if isinstance(error, e.ImportRejected):
        return import_texts.render_problems(error.problems)
    if isinstance(error, e.CloseRefused):
        return ledger_texts.close_refused(error.problem, error.value, error.holder, error.detail)
    if isinstance(error, e.LeaveRefused):
        return leave_texts.refused(error)
    if isinstance(error, e.RecordRefused):
        return record_texts.refused(error)
    simple: dict[type[Exception], str] = {
        e.InviteUnknown: texts.INVITE_UNKNOWN,
        e.InviteExpired: texts.INVITE_EXPIRED,
        e.InviteUsed: texts.INVITE_USED,
        e.InviteForInactive: texts.INVITE_INACTIVE,
    }
    return simple.get(type(error), texts.ERROR)


async def on_error(event: ErrorEvent, notifier: Notifier) -> None:
    """Answer the user; the stack trace goes to the log only. A button's error is its alert, or a
    message when the handler had answered the button already (Telegram takes one answer)."""
    error = event.exception
    if not isinstance(error, e.DomainError):
        logger.error("update %s failed", event.update.update_id, exc_info=error)
        if retried_later(error):  # a webhook's database or network failure: its retry answers
            return
    text = reply_for(error)
    update = event.update
    chat: int | None = None
    if update.callback_query is not None:
        query = update.callback_query
        try:
            await query.answer(texts.alert(text), show_alert=True)
            return
        except TelegramBadRequest:  # answered before the error (or too old): say it in the chat
            chat = query.message.chat.id if query.message else query.from_user.id
    else:
        message = update.message or update.edited_message
        chat = message.chat.id if message else None
    if chat is not None:
        await notifier.send(chat, text)


def build_router() -> Router:
    """The error router."""
    router = Router(name="errors")
    router.error.register(on_error)
    return router
