"""An outbox row sent by the notifier at bulk priority: parts, a file with its caption, Telegram's answer classified."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup, Message
from pydantic import ValidationError

from bot.telegram.delivery import Delivery, classify, html_refused
from bot.telegram.pacer import LOW
from bot.telegram.text_parts import split_text
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.telegram.notifier import Notifier

logger = logging.getLogger(__name__)


async def deliver_row(notifier: Notifier, row: Outbox) -> Delivery:
    """Send one outbox row at bulk priority and classify Telegram's answer (never raises for it).

    A text over 4,096 characters goes out in parts; if a later part fails, a retry sends the
    whole row again (a part doubled rather than a part lost). A row with a file_id goes out as
    that document or photo with the text as its caption (the enqueuing service keeps captions
    within 1,024 characters).
    """
    try:
        markup = (
            InlineKeyboardMarkup.model_validate_json(row.reply_markup) if row.reply_markup else None
        )
    except ValidationError as exc:
        return Delivery("failed", reason=f"reply_markup is not a keyboard: {exc}")
    if row.file_id is not None:
        photo = row.file_kind == "photo"
        kwargs: dict[str, Any] = {
            "chat_id": row.chat_id,
            "photo" if photo else "document": row.file_id,
            "caption": row.text or None,
            "reply_markup": markup,
        }
        method = notifier.bot.send_photo if photo else notifier.bot.send_document
        answer = await _deliver_part(
            notifier, row.chat_id, kwargs, attempt=row.attempts + 1, method=method
        )
        if isinstance(answer, Delivery):
            return answer
        return Delivery("sent", message_id=answer.message_id)
    parts = split_text(row.text)
    message_id: int | None = None
    for index, part in enumerate(parts):
        kwargs = {"chat_id": row.chat_id, "text": part}
        if index == len(parts) - 1:
            kwargs["reply_markup"] = markup
        answer = await _deliver_part(notifier, row.chat_id, kwargs, attempt=row.attempts + 1)
        if isinstance(answer, Delivery):
            if index:
                logger.warning(
                    "outbox %s: part %s of %s failed after the first went out",
                    row.id,
                    index + 1,
                    len(parts),
                )
            return answer
        message_id = answer.message_id
    return Delivery("sent", message_id=message_id)


async def _deliver_part(
    notifier: Notifier, chat_id: int, kwargs: dict[str, Any], *, attempt: int, method: Any = None
) -> Message | Delivery:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + notifier.max_wait
    while True:
        if not await notifier.turn(chat_id, LOW, deadline):
            wait = max(notifier.pacer.paused_for(), 1.0)
            return Delivery("flood", retry_after=wait, reason="no turn within the budget")
        try:
            message: Message = await (method or notifier.bot.send_message)(**kwargs)
            return message
        except TelegramRetryAfter as exc:
            notifier.pacer.pause(exc.retry_after)
            logger.warning(
                "flood control at chat %s: everyone waiting %ss", chat_id, exc.retry_after
            )
            if exc.retry_after > deadline - loop.time():
                return Delivery("flood", retry_after=float(exc.retry_after), reason=exc.message)
        except (TelegramAPIError, ClientDecodeError) as exc:
            if html_refused(exc) and "parse_mode" not in kwargs:
                logger.error("HTML refused for chat %s (%s); sent as plain text", chat_id, exc)
                kwargs = {**kwargs, "parse_mode": None}
                continue
            return classify(exc, attempt=attempt)
