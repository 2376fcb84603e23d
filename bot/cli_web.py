"""`python -m bot web`: the read-only web view served on its own (the demo's, or beside `run`)."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from aiohttp import web

from bot.app import build_bot, ranking_rules
from bot.clock import Clock, StartedClock, SystemClock
from bot.config import Settings
from bot.localchat.demo_clock import read_clock
from bot.localchat.history import PHOTOS
from bot.services.oversight.charts import bar_chart
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
    """The demo history's evidence photos, drawn as a picture (the history keeps a few stub
    bytes); files sent in a chat session stay in that process and are not shown."""

    def __init__(self) -> None:
        self._picture: bytes | None = None

    async def fetch(self, file_id: str) -> bytes | None:
        if file_id not in PHOTOS:
            return None
        if self._picture is None:
            self._picture = await asyncio.to_thread(demo_picture)
        return self._picture


def demo_picture() -> bytes:
    """A stand-in for a demo photo: a small PNG that says what it is."""
    return bar_chart(title="演示：现场照片", labels=["会议记录"], values=[100.0])


async def serve(settings: Settings, *, host: str, port: int, db: Path | None) -> int:
    """Serve until interrupted; with `db`, the demo database on the demo's clock."""
    clock: Clock = SystemClock()
    if settings.bot_now is not None:  # as bot/app.py: drills start the clock at BOT_NOW
        start = settings.bot_now
        clock = StartedClock(start if start.tzinfo else start.replace(tzinfo=settings.zone))
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
