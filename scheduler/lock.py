"""One scheduler: a PostgreSQL advisory lock, or on SQLite a lock file, held for the process's life.

The process holding it runs the cron table and the outbox sender; any other `bot run` serves
chat only, says so in its log, and tries again every few seconds, so it takes over within a
minute of the holder's death (the database ends the session's advisory lock; the kernel drops
the file lock of a dead process).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)
LOCK_KEY = 0x4C5A_5348  # "LZSH": the bot's advisory lock id (one bot per database)


class SchedulerLock:
    """try_acquire() → True once this process holds the lock; release() gives it up."""

    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None) -> None:
        self._engine = engine
        self._sqlite_path = sqlite_path
        self._connection: AsyncConnection | None = None
        self._file: IO[Any] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        if self.held:
            return True
        if self._sqlite_path is not None:
            return self._try_file(self._sqlite_path.with_name(self._sqlite_path.name + ".lock"))
        connection = await self._engine.connect()
        try:
            got = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
            ).scalar_one()
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    def _try_file(self, path: Path) -> bool:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    async def alive(self) -> bool:
        """Still held? (A PostgreSQL lock dies with its connection: check it answers.)"""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
            return False
        return True

    async def release(self) -> None:
        """Give the lock up (also done by the database or the kernel when the process dies)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}
                )
                await self._connection.commit()
            await self._connection.close()
            self._connection = None


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path or "memory.sqlite3").resolve()
