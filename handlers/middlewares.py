"""Outer update middlewares: one DB session per update (claiming it once) and the person behind it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.identity import viewer_for
from bot.services.updates import claim_update

logger = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Opens the update's session, drops a second delivery of the same update, rolls back on error."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sessions: async_sessionmaker[AsyncSession] = data["sessions"]
        clock: Clock = data["clock"]
        async with sessions() as session:
            if isinstance(event, Update) and not await claim_update(
                session, update_id=event.update_id, now=clock.now()
            ):
                logger.info("update %s was delivered again; dropped", event.update_id)
                return None
            data["session"] = session
            try:
                return await handler(event, data)
            except Exception:
                await session.rollback()
                raise


class IdentityMiddleware(BaseMiddleware):
    """Puts `person` (a Viewer, or None for strangers and deactivated people) into the data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession = data["session"]
        data["person"] = None if user is None else await viewer_for(session, telegram_id=user.id)
        return await handler(event, data)
