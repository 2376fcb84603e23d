"""storage.worker: database work on a thread of its own, its results and errors back here."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry
from storage.worker import Worker


async def test_work_runs_on_its_own_thread_and_loop_with_a_session_of_its_own(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = Worker(db_url, sessions)
    here = threading.get_ident(), asyncio.get_running_loop()

    async def count(session: AsyncSession) -> tuple[int, int, asyncio.AbstractEventLoop]:
        found = (await session.exec(select(func.count()).select_from(AuditEntry))).one()
        return found, threading.get_ident(), asyncio.get_running_loop()

    try:
        found, thread, loop = await worker.run(count)
        assert found == 0
        assert thread != here[0] and loop is not here[1]
    finally:
        await worker.close()


async def test_an_error_in_the_work_is_raised_here_and_home_calls_run_on_this_loop(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = Worker(db_url, sessions)
    loop = asyncio.get_running_loop()
    seen: list[asyncio.AbstractEventLoop] = []

    async def note(text: str) -> None:
        assert text == "进度"
        seen.append(asyncio.get_running_loop())

    home = worker.home(note)

    async def fails(session: AsyncSession) -> None:
        await home("进度")
        raise LookupError("不在")

    try:
        with pytest.raises(LookupError, match="不在"):
            await worker.run(fails)
        assert seen == [loop]
    finally:
        await worker.close()
