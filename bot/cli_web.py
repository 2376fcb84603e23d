"""`python -m bot web`: the read-only web view served on its own (the demo's, or beside `run`)."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from aiohttp import web

from bot.app import build_bot, ranking_rules
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.localchat.demo_clock import read_clock
from bot.localchat.history import PHOTOS
from bot.web.app import standalone
from bot.web.context import FileSource, WebDeps
from bot.web.evidence import BotFiles
from storage.db import create_engine, migrate, session_factory

logger = logging.getLogger(__name__)


class DemoDbClock:
    """The chat mode's clock, read from beside its database (saved after every line typed):
    a link /web printed in `make demo` is dated on the demo's clock, and checked on it."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def now(self) -> datetime:
        return read_clock(self.db) or SystemClock().now()


class DemoFiles:
    """The demo history's evidence photos (files sent in a chat session stay in that process)."""

    async def fetch(self, file_id: str) -> bytes | None:
        found = PHOTOS.get(file_id)
        return found[1] if found else None


async def serve(settings: Settings, *, host: str, port: int, db: Path | None) -> int:
    """Serve until interrupted; with `db`, the demo database on the demo's clock."""
    clock: Clock = SystemClock()
    files: FileSource | None = None
    url = settings.db_url
    bot = None
    if db is not None:
        if not db.exists():
            print(f"错误：找不到演示数据库 {db}（先运行 make demo）", file=sys.stderr)
            return 2
        url, clock, files = f"sqlite+aiosqlite:///{db.resolve()}", DemoDbClock(db), DemoFiles()
    elif settings.bot_token is not None:
        bot = build_bot(settings)
        files = BotFiles(bot)
    engine = create_engine(url)
    await migrate(engine)
    wired = WebDeps(
        sessions=session_factory(engine),
        clock=clock,
        zone=settings.zone,
        ranking=ranking_rules(settings),
        files=files,
        base=settings.web_path,
    )
    runner = web.AppRunner(standalone(wired))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(
        f"网页查看：http://{host}:{port}{wired.base}/ （在机器人中发送 /web 获取登录链接）",
        file=sys.stderr,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        if bot is not None:
            await bot.session.close()
        await engine.dispose()
    return 0
