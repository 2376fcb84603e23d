"""The update middleware's release before a send keeps statements a handler already ran."""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from aiogram.types import Update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import ManualClock
from bot.telegram.notifier import release_database
from handlers.middlewares import DbSessionMiddleware
from storage.models import AuditEntry, ProcessedUpdate
from tests.factories import NOW


async def _run(sessions: async_sessionmaker[AsyncSession], write: bool) -> None:
    async def handler(event: Any, data: dict[str, Any]) -> None:
        session: AsyncSession = data["session"]
        if write:  # a Core statement: neither in session.new nor in session.dirty
            await session.exec(sa.insert(AuditEntry).values(at=NOW, action="test.core", detail=""))
        release = release_database.get()
        assert release is not None
        await release()  # what the notifier does before it talks to Telegram
        raise RuntimeError("the send failed after the release")

    update = Update(update_id=41 if write else 42)
    data: dict[str, Any] = {"sessions": sessions, "clock": ManualClock(NOW)}
    with contextlib.suppress(RuntimeError):
        await DbSessionMiddleware()(handler, update, data)


async def test_a_core_write_before_a_send_is_committed_not_rolled_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _run(sessions, write=True)
    async with sessions() as session:
        assert (await session.exec(select(AuditEntry.action))).all() == ["test.core"]
        # the claim went with the write: a redelivery would not repeat it
        assert (await session.exec(select(ProcessedUpdate.update_id))).all() == [41]


async def test_a_read_only_update_cut_short_after_the_release_is_handled_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _run(sessions, write=False)
    async with sessions() as session:
        assert (await session.exec(select(ProcessedUpdate.update_id))).all() == []
