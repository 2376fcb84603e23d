"""Benchmark: the submission path (update in → reply out) beside a bare aiogram echo bot on the same fake Bot API.

200 sentences from 20 officials arrive at once (pushed into the fake's getUpdates queue); the
time runs from the first push to the 200th reply reaching the fake. Each bot has its own
in-process FakeBotAPI over real HTTP; runs alternate between the bots so drift hits both.

- echo: aiogram's Dispatcher + one message handler sending the text back, fed by aiogram's own
  polling (handle_as_tasks), the same AiohttpSession and HTML default as the production Bot;
- app: the production app (bot.app.build_app, chat_limits=False as for the fake, SEND_RATE=1000
  so the pacer does not cap the rate) fed by the production Poller (bot/telegram/poller.py);
- with --direct, both are also fed without polling: asyncio.gather of feed_update, so the
  dispatch path can be told apart from the polling loop.

When replies carry a 确认 button (the record path), each is then pressed (callback queries, 200
at once) and the time to the 200th answer is measured too, beside the echo bot answering 200
callback queries with a text edit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import html
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F, Router  # noqa: E402
from aiogram.types import CallbackQuery, Message, Update  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.app import App, build_app, build_bot, close, prepare  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.chatlog import Json, buttons_of, int_param  # noqa: E402
from bot.localchat.demo import setup_demo  # noqa: E402
from bot.localchat.driver import FAKE_TOKEN  # noqa: E402
from bot.localchat.fake_api import FakeBotAPI  # noqa: E402
from bot.telegram.poller import Poller  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
DISTRICT = ROOT / "examples" / "district"
SETS = ("matcher_sentences.tsv", "matcher_holdout.tsv")
REPLIES = {  # each update's last call: a sentence's proposal; 确认 edits it into the record
    "message": "sendmessage",
    "callback_query": "editmessagetext",
}


def sentences(people: int, each: int) -> list[tuple[str, str]]:
    """(holder code, sentence): completions naming one item, `each` per holder, most labelled first."""
    by_holder: dict[str, list[str]] = {}
    for name in SETS:
        for line in (ROOT / "tests" / "services" / "data" / name).read_text("utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            holder, expected, text = line.split("\t")[:3]
            if expected.isalnum() and not expected.startswith("!"):
                by_holder.setdefault(holder, []).append(text)
    chosen = sorted(by_holder, key=lambda code: (-len(by_holder[code]), code))[:people]
    if len(chosen) < people:
        raise SystemExit(f"only {len(chosen)} holders have labelled completions")
    return [
        (code, by_holder[code][n % len(by_holder[code])]) for code in chosen for n in range(each)
    ]


class Arrivals(logging.Handler):
    """Counts replies (sendMessage calls) as they reach a fake, and updates that failed (logged
    by the error router or the poller); wakes when every update of a burst is accounted for."""

    def __init__(self, fake: FakeBotAPI) -> None:
        super().__init__(logging.ERROR)
        self.count, self.target, self.method = 0, 0, REPLIES["message"]
        self.failed: set[int] = set()
        self.done = asyncio.Event()
        fake.observers.append(self._seen)

    def expect(self, n: int, kind: str) -> None:
        self.count, self.target, self.method = 0, n, REPLIES[kind]
        self.failed.clear()
        self.done.clear()

    def _seen(self, method: str, params: Json) -> None:
        if method.lower() == self.method and int_param(params, "chat_id"):
            self.count += 1
            self._check()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "update %s failed" and isinstance(record.args, tuple):
            self.failed.add(int(str(record.args[0])))
            self._check()

    def _check(self) -> None:
        if self.target and self.count + len(self.failed) >= self.target:
            self.done.set()


@dataclass
class Contender:
    """One bot under test: its fake server, how updates reach it, and what it answered."""

    name: str
    fake: FakeBotAPI
    bot: Bot
    dispatcher: Dispatcher
    arrivals: Arrivals
    stop: Callable[[], Awaitable[None]]
    polling: asyncio.Task[Any] | None = None
    direct_ids: Iterator[int] = field(default_factory=lambda: itertools.count(10**9))

    async def burst(self, kind: str, payloads: list[Json], *, direct: bool) -> float:
        """Seconds from the first update to the last expected reply."""
        self.arrivals.expect(len(payloads), kind)
        start = time.perf_counter()
        if direct:
            updates = [
                Update.model_validate(
                    {"update_id": next(self.direct_ids), kind: payload}, context={"bot": self.bot}
                )
                for payload in payloads
            ]
            await asyncio.gather(*(self.dispatcher.feed_update(self.bot, u) for u in updates))
        else:
            for payload in payloads:
                self.fake.push_update({kind: payload})
        await asyncio.wait_for(self.arrivals.done.wait(), timeout=120)
        return time.perf_counter() - start


def message(fake: FakeBotAPI, user_id: int, text: str) -> Json:
    """A private text message from a user, remembered by the fake (as the local chat driver does)."""
    user = {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": "zh"}
    payload = {
        "message_id": fake.new_message_id(user_id),
        "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "date": int(time.time()),
        "text": text,
    }
    fake.remember(payload)
    return payload


def press(fake: FakeBotAPI, user_id: int, message_id: int, data: str, n: int) -> Json:
    """A callback query: the user pressed a button carrying `data` on a bot message."""
    query_id = f"bench-{user_id}-{n}"
    fake.register_callback(query_id, user_id)
    return {
        "id": query_id,
        "from": {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}"},
        "message": fake.message(user_id, message_id),
        "chat_instance": str(user_id),
        "data": data,
    }


# ---- the echo bot -----------------------------------------------------------------------------
async def echo_text(message: Message, bot: Bot) -> None:
    await bot.send_message(message.chat.id, html.escape(message.text or ""))


async def echo_press(query: CallbackQuery, bot: Bot) -> None:
    """The Bot API calls of the app's 确认: answer the query, edit the proposal into the record."""
    await query.answer("已记入")
    assert query.message is not None
    chat = query.from_user.id
    text = html.escape(f"已确认：{query.data or ''}")
    await bot.edit_message_text(chat_id=chat, message_id=query.message.message_id, text=text)


async def start_echo(settings: Settings) -> Contender:
    fake = FakeBotAPI(token=FAKE_TOKEN)
    url = await fake.start()
    bot = build_bot(settings.model_copy(update={"bot_api_url": url}), token=FAKE_TOKEN)
    dispatcher = Dispatcher()
    router = Router(name="echo")
    router.message.register(echo_text, F.text)
    router.callback_query.register(echo_press)
    dispatcher.include_router(router)
    arrivals = Arrivals(fake)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, polling_timeout=10, handle_signals=False)
    )

    async def stop() -> None:
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(polling, 5)
        await bot.session.close()
        await fake.stop()

    return Contender("echo", fake, bot, dispatcher, arrivals, stop, polling)


# ---- the production app -----------------------------------------------------------------------
async def start_app(settings: Settings) -> tuple[Contender, App, dict[str, int]]:
    fake = FakeBotAPI(token=FAKE_TOKEN)
    url = await fake.start()
    local = settings.model_copy(update={"bot_api_url": url, "bot_token": SecretStr(FAKE_TOKEN)})
    app = build_app(local, clock=ManualClock(NOW), chat_limits=False)
    await prepare(app)
    setup = await setup_demo(app.sessions, data=DISTRICT, now=NOW, zone=ZONE)
    ids = {code: p.telegram_id for code, p in setup.people.items() if p.telegram_id is not None}
    arrivals = Arrivals(fake)
    for name in ("handlers.errors", "bot.telegram.poller"):
        logging.getLogger(name).addHandler(arrivals)
    poller = Poller(app.dispatcher, app.bot, app.notifier, grace=5.0, polling_timeout=10)
    polling = asyncio.create_task(poller.run())

    async def stop() -> None:
        poller.stopping.set()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(polling, 10)
        await close(app)
        await fake.stop()

    contender = Contender("app", fake, app.bot, app.dispatcher, arrivals, stop, polling)
    return contender, app, ids


async def reset_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (named in --db-url)."""
    import asyncpg

    base, name = url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


# ---- the measurement --------------------------------------------------------------------------
@dataclass
class Phase:
    """One kind of burst: seconds per run for each contender, and updates that failed."""

    name: str
    seconds: dict[str, list[float]] = field(default_factory=dict)
    failed: dict[str, list[int]] = field(default_factory=dict)

    def add(self, who: Contender, seconds: float) -> None:
        self.seconds.setdefault(who.name, []).append(seconds)
        self.failed.setdefault(who.name, []).append(len(who.arrivals.failed))

    def rate(self, who: str, n: int) -> float:
        return n / statistics.median(self.seconds[who])


def confirm_buttons(fake: FakeBotAPI, chats: set[int], since: int) -> list[tuple[int, int, str]]:
    """(chat, message id, callback data) of every 确认 button the app sent since the bookmark."""
    found = []
    for sent in fake.sent_since(since):
        if sent.chat_id in chats and sent.message_id is not None:
            for button in buttons_of(sent.reply_markup):
                if button.get("text") == "确认" and button.get("callback_data"):
                    found.append((sent.chat_id, sent.message_id, str(button["callback_data"])))
    return found


async def measure(args: argparse.Namespace, tmp: Path) -> tuple[dict[str, Phase], int]:
    """Interleaved runs (run 0 warms up); returns the phases and the updates per burst."""
    url = args.db_url or f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        await reset_postgres(url)
    settings = Settings(
        BOT_TOKEN=FAKE_TOKEN,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=url,
        BOT_TIMEZONE="Asia/Shanghai",
        SEND_RATE=1000,
    )
    plan = sentences(args.people, args.each)
    echo = await start_echo(settings)
    app, _, ids = await start_app(settings)
    echo_ids = {code: 50_000_000 + i for i, code in enumerate(ids)}
    modes = [args.only] if args.only else ["polling", "direct"] if args.direct else ["polling"]
    phases = {f"text/{mode}": Phase(f"text/{mode}") for mode in modes}
    phases["confirm"] = Phase("confirm")
    profiler = cProfile.Profile() if args.profile else None
    try:
        for run in range(args.runs + 1):
            order = [echo, app] if run % 2 else [app, echo]
            for mode in modes:
                for who in order:
                    users = ids if who is app else echo_ids
                    payloads = [message(who.fake, users[code], text) for code, text in plan]
                    mark = who.fake.mark()
                    if profiler and who is app and run:
                        profiler.enable()
                    seconds = await who.burst("message", payloads, direct=mode == "direct")
                    if profiler:
                        profiler.disable()
                    if run:
                        phases[f"text/{mode}"].add(who, seconds)
                    if who is app and mode == modes[0]:
                        await confirm_phase(app, echo, phases["confirm"], mark, run, ids)
            print(f"run {run}: {summary(phases, len(plan))}", file=sys.stderr)
    finally:
        await app.stop()
        await echo.stop()
    if profiler:
        profiler.dump_stats(args.profile)
    return phases, len(plan)


async def confirm_phase(
    app: Contender, echo: Contender, phase: Phase, mark: int, run: int, ids: dict[str, int]
) -> None:
    """Press every 确认 the last text burst brought (if the record path exists); the echo bot
    gets as many presses on messages of its own."""
    targets = confirm_buttons(app.fake, set(ids.values()), mark)
    if not targets:
        return
    payloads = [press(app.fake, chat, mid, data, i) for i, (chat, mid, data) in enumerate(targets)]
    seconds = await app.burst("callback_query", payloads, direct=False)
    echo_payloads = []
    for i, (chat, _, _) in enumerate(targets):
        sent = await echo.bot.send_message(chat, "待确认")
        echo_payloads.append(press(echo.fake, chat, sent.message_id, "ok", i))
    echo_seconds = await echo.burst("callback_query", echo_payloads, direct=False)
    if run:
        phase.add(app, seconds)
        phase.add(echo, echo_seconds)


def summary(phases: dict[str, Phase], n: int) -> str:
    parts = []
    for phase in phases.values():
        if "app" in phase.seconds and "echo" in phase.seconds:
            app, echo = phase.seconds["app"][-1], phase.seconds["echo"][-1]
            failed = phase.failed["app"][-1]
            parts.append(
                f"{phase.name} app {n / app:.0f}/s echo {n / echo:.0f}/s"
                + (f" ({failed} failed)" if failed else "")
            )
    return "; ".join(parts) or "(warm-up)"


def startup(builds: int) -> list[float]:
    """Milliseconds per Matcher build in this process: the first reads jieba's dictionary."""
    from bot.services.records.matcher import Matcher
    from bot.services.records.writing import known_items  # noqa: F401 — the app's own import path

    times = []
    for _ in range(builds):
        started = time.perf_counter()
        Matcher()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--each", type=int, default=10, help="sentences per person")
    parser.add_argument("--direct", action="store_true", help="also feed without polling")
    parser.add_argument("--only", choices=["polling", "direct"], help="feed one way only")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the app's bursts into FILE")
    parser.add_argument(
        "--db-url",
        help="PostgreSQL URL (postgresql+asyncpg://…/NAME); the database NAME is dropped and "
        "created anew. Default: a SQLite file in a temporary folder",
    )
    args = parser.parse_args()
    builds = startup(4)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "bench.log"
        logging.basicConfig(
            level=logging.INFO,
            filename=log,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        for noisy in ("aiogram.event", "alembic.runtime.plugins"):  # as bot/__main__.py does
            logging.getLogger(noisy).setLevel(logging.WARNING)
        load = os.getloadavg()[0]
        phases, n = asyncio.run(measure(args, Path(tmp)))
        load = max(load, os.getloadavg()[0])
        lines = log.read_text("utf-8").count("\n")
    backend = "PostgreSQL" if args.db_url else "SQLite"
    print(
        f"matcher build (ms): first {builds[0]:.0f}, later {statistics.median(builds[1:]):.0f} "
        f"(median of {len(builds) - 1})"
    )
    print(
        f"{backend}; {n} updates per burst from {args.people} people; {args.runs} runs after one "
        f"warm-up; medians; load average up to {load:.1f}; {lines} log lines"
    )
    print("| path | app replies/s | echo replies/s | ratio app/echo | app failures |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for phase in phases.values():
        if "app" not in phase.seconds:
            continue
        app, echo = phase.rate("app", n), phase.rate("echo", n)
        failed = sum(phase.failed["app"])
        print(f"| {phase.name} | {app:.0f} | {echo:.0f} | {app / echo:.2f} | {failed} |")
    for phase in phases.values():
        for who, seconds in phase.seconds.items():
            rates = ", ".join(f"{n / s:.0f}" for s in seconds)
            print(f"{phase.name} {who}: {rates}")


if __name__ == "__main__":
    main()
