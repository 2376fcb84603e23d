"""Real `python -m bot serve` subprocesses for the tests: start, post updates, read their logs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.services.directory.identity import invite_unbound
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.telegram.webhook import SECRET_HEADER
from storage.db import create_engine, session_factory
from tests.conftest import DISTRICT, PROJECT
from tests.handlers.conftest import NOW, ZONE
from tests.test_end_to_end import _env

SECRET = "worker-secret-" + "w" * 20
HOOK = "/tg/hook"


@dataclass
class Serve:
    """One `serve` worker: its process, port and log lines (stderr) so far."""

    process: asyncio.subprocess.Process
    port: int
    log: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def post(self, update: dict[str, Any], *, seconds: float = 60) -> int:
        """POST an update as Telegram does; the status (599 when the connection broke)."""
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    self.url + HOOK,
                    data=json.dumps(update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=seconds),
                ) as response,
            ):
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 599

    async def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz: status and body ((0, {}) while the worker does not answer)."""
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=5)) as response,
            ):
                return response.status, await response.json()
        except (aiohttp.ClientError, TimeoutError):
            return 0, {}

    async def exited(self) -> int:
        """Wait (up to 60 s) for the worker to exit by itself; its exit code."""
        await asyncio.wait_for(self.process.wait(), 60)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return self.process.returncode or 0

    async def stop(self) -> int:
        """SIGTERM, then wait for the exit code (SIGKILL after 30 s)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        return self.process.returncode or 0

    async def kill(self) -> None:
        """SIGKILL, as a crash."""
        self.process.kill()
        await self.process.wait()


def env(db_url: str, api: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a worker listening on `port` (standby retries every second)."""
    return _env(
        db_url,
        api,
        WEBHOOK_URL=f"https://bot.example.org{HOOK}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        LEADER_RETRY="1",
        **extra,
    )


async def start(environment: dict[str, str], *, ready: bool = True) -> Serve:
    """Start `python -m bot serve`; with `ready`, wait until /healthz answers."""
    port = int(environment["WEBHOOK_LISTEN"].rsplit(":", 1)[1])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=PROJECT,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    worker = Serve(process, port)
    worker._reader = asyncio.create_task(_read(process, worker.log))
    if ready:
        await until(
            lambda: any("serving the webhook" in line for line in worker.log),
            "serving",
            seconds=120,  # a loaded machine starts a worker slowly
        )
    return worker


async def _read(process: asyncio.subprocess.Process, log: list[str]) -> None:
    assert process.stderr is not None
    async for line in process.stderr:
        log.append(line.decode(errors="replace").rstrip())


async def until(condition: Callable[[], object], what: str, seconds: float = 60) -> float:
    """Wait for `condition`; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def invites(db_url: str) -> dict[str, str]:
    """Import the sample district in-process; the invite code of every person, by person code."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
        async with session_factory(engine)() as session:
            batch = await invite_unbound(session, now=datetime.now(UTC))
    finally:
        await engine.dispose()
    return {issued.person_code: issued.code for issued in batch.issued}
