"""The one outbound path: long texts split (never cut), RetryAfter honoured within a budget, no DB held."""

from __future__ import annotations

import asyncio
import logging
import time
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
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message, ReplyParameters

logger = logging.getLogger(__name__)

LIMIT = 4096
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


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Cut HTML text into parts of at most `limit` characters, at line ends where possible.

    A single over-long line is cut between characters, never inside a tag or an entity.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _safe_cut(line: str, limit: int) -> int:
    """The largest cut ≤ limit that is not inside <…> or &…;."""
    cut = limit
    open_tag, close_tag = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if open_tag > close_tag:
        cut = open_tag
    amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if amp > semi and cut - amp <= 10:
        cut = amp
    return cut if cut > 0 else limit


class Notifier:
    """Sends every message the bot writes; handlers and jobs never call the Bot directly."""

    def __init__(self, bot: Bot, *, max_wait: float = MAX_WAIT) -> None:
        self.bot = bot
        self.max_wait = max_wait

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
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
                message = await self._call(chat_id, self.bot.send_message, **kwargs)
            except TelegramBadRequest as exc:
                if "can't parse entities" not in exc.message:
                    raise
                # An escaping slip must not lose the message: log it loudly, send it unformatted.
                logger.error("HTML refused for chat %s (%s); sent as plain text", chat_id, exc)
                message = await self._call(
                    chat_id, self.bot.send_message, **kwargs, parse_mode=None
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

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        """Replace a short status text (progress); failures are logged, never raised."""
        try:
            await self.bot.edit_message_text(
                chat_id=chat_id, message_id=message_id, text=split_text(text)[0]
            )
        except Exception:
            logger.warning("could not edit message %s in chat %s", message_id, chat_id)

    async def send_document(
        self, chat_id: int, *, data: bytes, filename: str, caption: str | None = None
    ) -> Message | None:
        """Send a file (exports, reports)."""
        await _release()
        return await self._call(
            chat_id,
            self.bot.send_document,
            chat_id=chat_id,
            document=BufferedInputFile(data, filename=filename),
            caption=caption,
        )

    async def _call(self, target: int, method: Any, **kwargs: Any) -> Message | None:
        """One Bot API call with retries; None (logged at ERROR or INFO) when it cannot be delivered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        delay = 1.0
        for attempt in range(1, _ATTEMPTS + 1):
            last = attempt == _ATTEMPTS
            try:
                result: Message = await method(**kwargs)
                return result
            except TelegramRetryAfter as exc:
                if last or exc.retry_after > deadline - loop.time():
                    logger.error(
                        "chat %s: flood control asks %ss after %s attempts; message NOT delivered",
                        target,
                        exc.retry_after,
                        attempt,
                    )
                    return None
                logger.warning("flood control for chat %s: waiting %ss", target, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
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


class Progress:
    """A status message edited as long work advances, at most once a second."""

    def __init__(
        self,
        notifier: Notifier,
        chat_id: int,
        message_id: int,
        render: Callable[[str, int, int], str],
    ) -> None:
        self._notifier = notifier
        self._chat_id = chat_id
        self._message_id = message_id
        self._render = render
        self._last = 0.0

    async def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 1.0:
            return
        self._last = now
        await self._notifier.edit(self._chat_id, self._message_id, self._render(stage, done, total))
