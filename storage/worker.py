"""A worker thread with its own event loop and engine, for heavy database work off the bot's loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import create_engine, session_factory

logger = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")


class Worker:
    """Runs `work(session)` on a thread of its own, with its own event loop and engine.

    An async driver fetches rows off the loop, but turning 100,000 of them into ORM objects (and
    counting them) is Python on whatever loop awaits them: done here, a /units, an export or an
    import leaves the bot's loop free to answer other chats. The session is the worker's own
    (committed by the work itself); what the work returns must be plain data or detached rows.
    An in-memory SQLite database cannot be shared with another engine: the work then runs on
    the caller's loop with `fallback` sessions.
    """

    def __init__(self, url: str, fallback: async_sessionmaker[AsyncSession]) -> None:
        self.url = url
        self.fallback = fallback
        self.shared = not (url.startswith("sqlite") and (":memory:" in url or "///" not in url))
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="db-worker", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in a fresh session of the worker; its result (or exception) here."""
        if not self.shared:
            async with self.fallback() as session:
                return await work(session)
        ran = asyncio.run_coroutine_threadsafe(self._in_session(work), self._started())
        return await asyncio.wrap_future(ran)

    async def _in_session(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        if self._sessions is None:
            self._engine = create_engine(self.url)
            self._sessions = session_factory(self._engine)
        async with self._sessions() as session:
            return await work(session)

    def home(self, call: Callable[P, Awaitable[None]]) -> Handed[P]:
        """`call` (e.g. a progress message's edit), made callable from the work: it runs on the
        loop that asked for it here, where the bot's HTTP session lives (see Handed)."""
        return Handed(call, asyncio.get_running_loop())

    async def close(self) -> None:
        """Dispose of the worker's engine and stop its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._engine is not None:
            await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(self._engine.dispose(), loop)
            )
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 5)
        loop.close()
        self._loop = self._thread = None
        self._engine = self._sessions = None


class Handed(Generic[P]):
    """A call made from the worker that runs on the home loop, in the order asked.

    It is handed over and not waited for: the work may be inside a transaction (an import holds
    SQLite's write lock), which must never wait on Telegram. A failed call is logged (progress
    is best effort). `settled()`, on the home loop, waits for every call handed so far: the
    final answer goes after the last progress edit, never before it.
    """

    def __init__(self, call: Callable[P, Awaitable[None]], loop: asyncio.AbstractEventLoop) -> None:
        self._call = call
        self._loop = loop
        self._order = asyncio.Lock()
        self._pending: set[concurrent.futures.Future[None]] = set()

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        if asyncio.get_running_loop() is self._loop:
            await self._call(*args, **kwargs)
            return
        handed = asyncio.run_coroutine_threadsafe(self._in_order(*args, **kwargs), self._loop)
        self._pending.add(handed)
        handed.add_done_callback(self._pending.discard)

    async def _in_order(self, *args: P.args, **kwargs: P.kwargs) -> None:
        async with self._order:
            try:
                await self._call(*args, **kwargs)
            except Exception:
                logger.warning("worker: a call handed home failed", exc_info=True)

    async def settled(self) -> None:
        """Wait for every call handed so far (on the home loop)."""
        while self._pending:
            await asyncio.wrap_future(next(iter(self._pending)))
