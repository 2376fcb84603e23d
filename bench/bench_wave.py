"""Benchmark: a 2,000-recipient wave through the real sender, notifier and pacer to a fake Bot API enforcing Telegram's limits."""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

from bot.app import build_app, close  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.driver import FAKE_TOKEN  # noqa: E402
from bot.localchat.fake_api import FakeBotAPI  # noqa: E402
from bot.services.outbox import OutboxMessage, enqueue  # noqa: E402
from bot.telegram.notifier import Notifier  # noqa: E402
from storage.db import migrate  # noqa: E402
from storage.models import Outbox, OutboxState  # noqa: E402

REPLY_CHATS = range(9_999_000, 9_999_010)  # people chatting with the bot during the wave


@dataclass(frozen=True)
class Result:
    """One wave."""

    seconds: float  # first claim to last row marked sent
    rate: float  # messages per second over that time
    refused: int  # 429s the fake answered
    doubles: int  # recipients who got their message more than once
    losses: int  # recipients who never got it
    reply_ms: list[float]  # latency of chat replies sent during the wave


async def one_wave(recipients: int, database: Path, rate: float) -> Result:
    """Queue one message per recipient, then let the production sender drain it."""
    fake = FakeBotAPI(token=FAKE_TOKEN, enforce_limits=True)
    url = await fake.start()
    settings = Settings(
        BOT_API_URL=url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_TIMEZONE="Asia/Shanghai",
        SEND_RATE=rate,
    ).model_copy(update={"bot_token": SecretStr(FAKE_TOKEN)})
    app = build_app(settings, clock=SystemClock())
    try:
        await migrate(app.engine)
        now = datetime.now(UTC)
        messages = [
            OutboxMessage(
                dedupe_key=f"bench:{n}",
                chat_id=1_000_000 + n,
                person_id=None,
                text=f"【C01】提醒 bench:{n}",
                not_before=now,
                kind="reminder",
            )
            for n in range(recipients)
        ]
        async with app.sessions() as session:
            await enqueue(session, messages=messages, now=now)
            await session.commit()
        stop = asyncio.Event()
        replies: list[float] = []
        start = time.perf_counter()
        sender = asyncio.create_task(app.sender.run(stop))
        chatting = asyncio.create_task(_chat(app.notifier, replies, stop))
        give_up = start + 10 * recipients / rate + 60
        while time.perf_counter() < give_up:  # polled: the sender has no "done" signal
            if app.sender.counts.sent >= recipients:
                break
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - start
        stop.set()
        await asyncio.gather(sender, chatting)
        async with app.sessions() as session:
            unsent = await session.exec(
                select(func.count()).where(col(Outbox.state) != OutboxState.SENT)
            )
            losses = unsent.one()
    finally:
        await close(app)
        await fake.stop()
    got = Counter(s.text for s in fake.sent if s.chat_id not in REPLY_CHATS)
    assert fake.limits is not None
    return Result(
        seconds=seconds,
        rate=recipients / seconds,
        refused=fake.limits.refused,
        doubles=sum(1 for count in got.values() if count > 1),
        losses=max(losses, recipients - len(got)),
        reply_ms=replies,
    )


async def _chat(notifier: Notifier, replies: list[float], stop: asyncio.Event) -> None:
    """People using the bot during the wave: a reply every 2 s, in turn, its latency kept."""
    turn = 0
    while not stop.is_set():
        await asyncio.sleep(2.0)
        asked = time.perf_counter()
        await notifier.send(REPLY_CHATS[turn % len(REPLY_CHATS)], "你的清单")
        replies.append((time.perf_counter() - asked) * 1000)
        turn += 1


async def measure(recipients: int, runs: int, rate: float) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            result = await one_wave(recipients, Path(tmp) / f"wave{run}.sqlite3", rate)
            print(
                f"run {run + 1}: {result.rate:.2f} msg/s, {result.refused} × 429, "
                f"{result.doubles} doubled, {result.losses} lost, "
                f"reply median {statistics.median(result.reply_ms):.0f} ms",
                file=sys.stderr,
            )
            results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=28.0, help="SEND_RATE")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the 429 waits log WARNINGs; counted instead
    results = asyncio.run(measure(args.recipients, args.runs, args.rate))
    median = sorted(results, key=lambda r: r.rate)[len(results) // 2]
    replies = [ms for r in results for ms in r.reply_ms]
    print(
        "| recipients | SEND_RATE | runs | msg/s (median run) | 429s | 429 share | doubles | losses "
        "| wave (s) | reply median (ms) | reply max (ms) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.recipients} | {args.rate:g} | {args.runs} | {median.rate:.2f} | {median.refused} "
        f"| {100 * median.refused / args.recipients:.2f} % | {median.doubles} | {median.losses} "
        f"| {median.seconds:.1f} | {statistics.median(replies):.0f} | {max(replies):.0f} |"
    )
    print(
        "all runs: "
        + "; ".join(
            f"{r.rate:.2f} msg/s, {r.refused} × 429, {r.doubles} doubled, {r.losses} lost"
            for r in results
        )
    )


if __name__ == "__main__":
    main()
