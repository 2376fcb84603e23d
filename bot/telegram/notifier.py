"""The one outbound path: every call paced, long texts split (never cut), RetryAfter honoured, no DB held."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from bot.telegram.delivery import Delivery
from bot.telegram.outbox_delivery import deliver_row
from bot.telegram.pacer import HIGH, Pacer
from bot.telegram.text_parts import LIMIT, split_text, units
from storage.models import Outbox

logger = logging.getLogger(__name__)
__all__ = ["LIMIT", "Notifier", "release_database", "split_text", "units"]

_ATTEMPTS = 4
MAX_WAIT = 60.0  # seconds one message may spend waiting on flood control and retries

# Set by the update's session middleware: lets go of the update's database connection (its work is
# committed first). The notifier calls it before talking to Telegram, so no pooled connection is
# held while Telegram answers 429 or is slow.
release_database: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "release_database", default=None
)


async def _release() -> None:
    release = release_database.get()
    if release is not None:
        await release()


class Notifier:
    """Sends every message the bot writes; handlers and jobs never call the Bot directly.

    Every call first waits its turn at the shared pacer (replies HIGH, outbox rows LOW); a 429
    pauses the pacer for everyone for retry_after, then the call is retried within max_wait.
    """

    def __init__(self, bot: Bot, *, pacer: Pacer | None = None, max_wait: float = MAX_WAIT) -> None:
        self.bot = bot
        self.pacer = pacer or Pacer()
        self.max_wait = max_wait

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | ForceReply | None = None,
        reply_to: int | None = None,
        priority: int = HIGH,
    ) -> list[Message]:
        """Send `text` in as many parts as needed; the keyboard rides on the last part."""
        parts = split_text(text)
        await _release()
        sent: list[Message] = []
        for index, part in enumerate(parts):
            kwargs: dict[str, Any] = {
                "chat_id": chat_id,
                "text": part,
                "reply_markup": reply_markup if index == len(parts) - 1 else None,
                "reply_parameters": (
                    ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                    if reply_to and index == 0
                    else None
                ),
            }
            try:
                message = await self._call(chat_id, priority, self.bot.send_message, **kwargs)
            except TelegramBadRequest as exc:
                if "can't parse entities" not in exc.message:
                    raise
                # An escaping slip must not lose the message: log it loudly, send it unformatted.
                logger.error("HTML refused for chat %s (%s); sent as plain text", chat_id, exc)
                message = await self._call(
                    chat_id, priority, self.bot.send_message, **kwargs, parse_mode=None
                )
            if message is None:
                if index < len(parts) - 1:
                    logger.error(
                        "chat %s: parts %s–%s of %s not sent",
                        chat_id,
                        index + 2,
                        len(parts),
                        len(parts),
                    )
                break
            sent.append(message)
        return sent

    async def release(self) -> None:
        """Give the update's database connection back now (what every send does first): call it
        after a write and before answering a button, so no lock is held while Telegram answers."""
        await _release()

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> bool:
        """Replace a short status text (progress, a multi-select's buttons); failures are logged,
        never raised (False)."""
        try:
            await asyncio.wait_for(self.pacer.acquire(chat_id, priority=HIGH), self.max_wait)
            await self.bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=split_text(text)[0],
                reply_markup=reply_markup,
            )
        except Exception:
            logger.warning("could not edit message %s in chat %s", message_id, chat_id)
            return False
        return True

    async def edit_markup(
        self, chat_id: int, message_id: int, reply_markup: InlineKeyboardMarkup | None
    ) -> None:
        """Replace only a message's buttons (a pressed 已阅 shows it was pressed); failures are
        logged, never raised."""
        try:
            await asyncio.wait_for(self.pacer.acquire(chat_id, priority=HIGH), self.max_wait)
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            )
        except Exception:
            logger.warning(
                "could not edit the buttons of message %s in chat %s", message_id, chat_id
            )

    async def send_document(
        self, chat_id: int, *, data: bytes, filename: str, caption: str | None = None
    ) -> Message | None:
        """Send a file made here (exports, reports)."""
        return await self._upload(chat_id, "document", BufferedInputFile(data, filename), caption)

    async def send_photo(
        self, chat_id: int, *, data: bytes, filename: str, caption: str | None = None
    ) -> Message | None:
        """Send a picture made here (charts), with an HTML caption of at most 1,024 characters."""
        return await self._upload(chat_id, "photo", BufferedInputFile(data, filename), caption)

    async def send_file(
        self, chat_id: int, *, file_id: str, kind: str, caption: str | None = None
    ) -> Message | None:
        """Send back a photo or document Telegram already holds (a record's evidence)."""
        return await self._upload(
            chat_id, "photo" if kind == "photo" else "document", file_id, caption
        )

    async def _upload(
        self, chat_id: int, field: str, media: BufferedInputFile | str, caption: str | None
    ) -> Message | None:
        await _release()
        method = self.bot.send_photo if field == "photo" else self.bot.send_document
        return await self._call(
            chat_id, HIGH, method, chat_id=chat_id, caption=caption, **{field: media}
        )

    async def deliver(self, row: Outbox) -> Delivery:
        """Send one outbox row at bulk priority and classify Telegram's answer (never raises
        for it): bot.telegram.outbox_delivery."""
        return await deliver_row(self, row)

    async def turn(self, target: int, priority: int, deadline: float) -> bool:
        """Wait for the pacer's go; False when the budget ran out first."""
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            await asyncio.wait_for(self.pacer.acquire(target, priority=priority), max(remaining, 0))
        except TimeoutError:
            return False
        return True

    async def _call(self, target: int, priority: int, method: Any, **kwargs: Any) -> Message | None:
        """One Bot API call with retries; None (logged at ERROR or INFO) when it cannot be delivered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        delay = 1.0
        for attempt in range(1, _ATTEMPTS + 1):
            last = attempt == _ATTEMPTS
            if not await self.turn(target, priority, deadline):
                logger.error(
                    "chat %s: no turn to send within %ss (flood control); message NOT delivered",
                    target,
                    self.max_wait,
                )
                return None
            try:
                result: Message = await method(**kwargs)
                return result
            except TelegramRetryAfter as exc:
                self.pacer.pause(exc.retry_after)  # Telegram's word holds for every chat
                if last or exc.retry_after > deadline - loop.time():
                    logger.error(
                        "chat %s: flood control asks %ss after %s attempts; message NOT delivered",
                        target,
                        exc.retry_after,
                        attempt,
                    )
                    return None
                logger.warning(
                    "flood control at chat %s: everyone waiting %ss", target, exc.retry_after
                )
            except TelegramForbiddenError:
                logger.info("chat %s blocked the bot or was deleted; message dropped", target)
                return None
            except (TelegramNetworkError, TelegramServerError):
                if last or delay > deadline - loop.time():
                    raise
                logger.warning(
                    "network error sending to %s (attempt %s); retrying", target, attempt
                )
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")
