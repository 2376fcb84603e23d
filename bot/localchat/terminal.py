"""`python -m bot chat`: set up the demo database, then feed terminal lines to the Repl until EOF or :quit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.localchat.demo import banner, demo_db_url, setup_demo
from bot.localchat.demo_clock import demo_start, save_clock
from bot.localchat.driver import start_local_chat
from bot.localchat.history import PHOTOS, history_line, load_history
from bot.localchat.repl import Repl
from bot.services.errors import ImportRejected
from bot.texts import plain
from bot.texts.importing import render_problems

CLOCK_NOTES = {
    "demo": "，演示日（--today 换一天；:clock 拨动后下次启动接着走）",
    "saved": "，接着上次拨到的时间（--reset 从演示日重新开始）",
    "--today": "，按 --today 设定",
    "legacy": "，旧版演示数据库没有保存时钟，按当前时间（--reset 从演示日重新开始）",
}


async def _read(stdin: TextIO, prompt: str | None) -> str:
    """One line ("" at EOF); a TTY reads in a daemon thread (Ctrl-C never waits for Enter)."""
    if prompt is None:
        return stdin.readline()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def work() -> None:
        try:
            line = input(prompt) + "\n" if stdin is sys.stdin else stdin.readline()
        except EOFError:
            line = ""
        with contextlib.suppress(RuntimeError):  # the loop is gone: we are exiting anyway
            loop.call_soon_threadsafe(lambda: None if done.done() else done.set_result(line))

    threading.Thread(target=work, daemon=True).start()
    return await done


async def run_chat(
    settings: Settings,
    *,
    data: Path,
    db: Path,
    reset: bool,
    files: Path,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    start: datetime | None = None,
) -> int:
    """The chat mode: set up the demo database, then read lines until EOF or :quit."""
    quiet = logging.getLogger().level == logging.INFO  # keep INFO chatter off the terminal
    if quiet:
        logging.getLogger().setLevel(logging.WARNING)
    url = demo_db_url(db, reset=reset)
    begin, why = await asyncio.to_thread(
        demo_start, db, today=start, zone=settings.zone, real_now=SystemClock().now()
    )
    clock = ManualClock(begin)
    local = settings.model_copy(update={"database_url": url})
    app, _, chat = await start_local_chat(local, clock=clock)
    try:
        try:
            setup = await setup_demo(app.sessions, data=data, now=clock.now(), zone=settings.zone)
            history = await load_history(app.sessions, now=clock.now(), zone=settings.zone)
        except ImportRejected as exc:
            print(f"示例数据 {data} 未导入：", file=stdout)
            print(plain(render_problems(exc.problems)), file=stdout)
            return 1
        repl = Repl(chat, setup.people, files, settings.zone, stdout)
        for person in setup.people.values():
            if person.telegram_id is not None:
                chat.names[person.telegram_id] = person.name
        for text in banner(
            setup,
            data=data,
            db=db,
            now=repl.local(clock.now()),
            zone=settings.zone,
            clock_note=CLOCK_NOTES[why],
        ):
            repl.say(text)
        repl.say(history_line(history))
        for file_id, (name, photo) in PHOTOS.items():  # the history's evidence, served again
            chat.fake.files[file_id] = (name, photo, f"photos/{file_id}.jpg")
        interactive = stdin.isatty()
        while True:
            line = await _read(stdin, repl.prompt() if interactive else None)
            if not interactive and line.strip():
                repl.say(repl.prompt() + line.rstrip("\n"))  # a transcript shows the input too
            going_on = bool(line) and await repl.handle(line)
            await asyncio.to_thread(save_clock, db, clock.now())
            if not going_on:
                break
        repl.say("再见。")
    finally:
        await chat.stop()
        if quiet:
            logging.getLogger().setLevel(logging.INFO)
    return 0
