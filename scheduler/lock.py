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
import socket
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)
LOCK_KEY = 0x4C5A_5348  # "LZSH": the bot's advisory lock id (one bot per database)


class SchedulerLock:
    """try_acquire() → True once this process holds the lock; release() gives it up."""

    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None, *, name: str = "") -> None:
        """`name` tells /healthz (and pg_stat_activity) which process holds the lock."""
        self._engine = engine
        self.name = name or f"{socket.gethostname()} pid {os.getpid()}"
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
        await connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"lvze scheduler {self.name}"[:63]},
        )
        await connection.commit()
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
        handle.write(f"{os.getpid()}\n{self.name}\n")
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

    async def holder(self) -> str | None:
        """Who holds the lock now (this process or another), or None when nobody does."""
        if self.held:
            return self.name
        if self._sqlite_path is not None:
            return _file_holder(self._sqlite_path.with_name(self._sqlite_path.name + ".lock"))
        async with self._engine.connect() as connection:
            found = (
                await connection.execute(
                    text(
                        "SELECT a.application_name FROM pg_locks l "
                        "JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 "
                        "AND l.objid = :key AND l.objsubid = 1 "
                        "AND l.database = (SELECT oid FROM pg_database "
                        "WHERE datname = current_database())"
                    ),
                    {"key": LOCK_KEY},
                )
            ).scalar_one_or_none()
        if found is None:
            return None
        return str(found).removeprefix("lvze scheduler ") or "unknown"

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


def _file_holder(path: Path) -> str | None:
    """The name written by the live process holding the lock file, if any."""
    try:
        pid_line, _, name = path.read_text().partition("\n")
        pid = int(pid_line)
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return name.strip() or f"pid {pid}"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path or "memory.sqlite3").resolve()
