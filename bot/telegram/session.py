"""The Bot API HTTP session: aiogram's AiohttpSession, with each response model built once.

aiogram checks every answer with `Response[method.__returning__]`. pydantic keeps a
parametrised generic only in a weak cache, so unless something holds it, it is built again on
the next call: about 30 ms of CPU for `Response[Union[Message, bool]]` (editMessageText, every
确认 and 取消), 2–3 ms for `Response[Message]`. That one rebuild was most of the CPU an
official's press cost (measured sequentially on the sample district: a 取消 from 41 ms to
under 10 ms of CPU). Here every response type is held for the life of the process: one per
Bot API method's return type, a few dozen at most.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class PinnedSession(AiohttpSession):
    """AiohttpSession holding each `Response[T]` it has used (see the module docstring)."""

    pinned: ClassVar[dict[Any, type[Any]]] = {}

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        """aiogram's check, after holding the response type it is about to build."""
        returning = method.__returning__
        if returning not in self.pinned:
            self.pinned[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
