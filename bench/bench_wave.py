"""Benchmark: a 2,000-recipient wave through the real sender, notifier and pacer to a fake Bot API enforcing Telegram's limits.

--outage N: the fake Bot API refuses connections for N minutes once half the wave is out; the
bot's clock runs at real pace while the sender has work and skips its idle waits (backoff, the
rest of the outage), so N minutes of outage take the real time of the refused sends only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram.exceptions import TelegramNetworkError  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

from bot.app import App, build_app, close  # noqa: E402
from bot.clock import StartedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.driver import FAKE_TOKEN  # noqa: E402
from bot.localchat.fake_api import FakeBotAPI  # noqa: E402
from bot.services.outbox import OutboxMessage, enqueue  # noqa: E402
from bot.telegram.notifier import Notifier  # noqa: E402
from storage.db import migrate  # noqa: E402
from storage.models import Outbox, OutboxState  # noqa: E402

REPLY_CHATS = range(9_999_000, 9_999_010)  # people chatting with the bot during the wave
# a working morning inside the sending window, whatever the hour the bench runs at
MORNING = datetime(2026, 11, 24, 9, 30, tzinfo=UTC) - timedelta(hours=8)
STEP = timedelta(
    seconds=5
)  # how far the clock skips per 50 ms during an outage (the first backoff)


class SkippingClock(StartedClock):
    """Real pace from MORNING; `skip` jumps forward (through an outage, over an idle wait)."""

    def skip(self, delta: timedelta) -> None:
        self._offset += delta


@dataclass(frozen=True)
class Result:
    """One wave."""

    seconds: float  # first claim to last row marked sent
    rate: float  # messages per second over that time
    refused: int  # 429s the fake answered
    doubles: int  # recipients who got their message more than once
    losses: int  # recipients who never got it
    reply_ms: list[float]  # latency of chat replies sent during the wave
    outage: Outage | None = None


@dataclass(frozen=True)
class Outage:
    """What a wave with an outage in its middle did, in the bot's (simulated) time."""

    before: int  # messages out when the connections began to be refused
    tries: int  # sends refused during the outage (the rows' attempts less their one send)
    most: int  # the most refused tries of one row
    recovery: float  # seconds from Telegram's return to the last message sent
    skipped: float  # seconds the clock skipped after the return (idle backoff waits)


async def one_wave(
    recipients: int, database: Path, rate: float, outage: timedelta | None = None
) -> Result:
    """Queue one message per recipient, then let the production sender drain it."""
    fake = FakeBotAPI(token=FAKE_TOKEN, enforce_limits=True)
    url = await fake.start()
    settings = Settings(
        BOT_API_URL=url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_TIMEZONE="Asia/Shanghai",
        SEND_RATE=rate,
    ).model_copy(update={"bot_token": SecretStr(FAKE_TOKEN)})
    clock = SkippingClock(MORNING)
    app = build_app(settings, clock=clock)
    down: Outage | None = None
    try:
        await migrate(app.engine)
        now = clock.now()
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
        if outage is not None:
            down = await _outage(app, fake, clock, recipients, outage, give_up)
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
        outage=down,
    )


async def _outage(
    app: App, fake: FakeBotAPI, clock: SkippingClock, recipients: int, length: timedelta, end: float
) -> Outage:
    """Half the wave out, connections refused for `length` of the bot's time, then back. The clock
    runs at real pace while the sender has work (refused sends are paced like any other) and
    skips the waits when it has none: to the next retry, or to the end of the outage."""
    while time.perf_counter() < end:
        if app.sender.counts.sent >= recipients // 2:
            break
        await asyncio.sleep(0.005)
    before = app.sender.counts.sent
    await fake.go_down()
    back = clock.now() + length
    await _skip_idle(app, clock, lambda: clock.now() >= back, end, until=back)
    await fake.come_back()
    skipped = await _skip_idle(app, clock, lambda: app.sender.counts.sent >= recipients, end)
    async with app.sessions() as session:
        tries, most, sent, last = (  # a row's attempts: its refused tries and its send
            await session.exec(
                select(
                    func.sum(col(Outbox.attempts)),
                    func.max(col(Outbox.attempts)),
                    func.count().filter(col(Outbox.state) == OutboxState.SENT),
                    func.max(col(Outbox.sent_at)),
                )
            )
        ).one()
    return Outage(
        before=before,
        tries=int(tries or 0) - sent,
        most=int(most or 0) - 1,
        recovery=(last - back).total_seconds() if last is not None else float("nan"),
        skipped=skipped.total_seconds(),
    )


async def _skip_idle(
    app: App,
    clock: SkippingClock,
    done: Callable[[], bool],
    end: float,
    until: datetime | None = None,
) -> timedelta:
    """Until `done`: whenever nothing is claimed nor due, jump to the next row's not_before (at
    most to `until`); how far the clock jumped in all."""
    skipped = timedelta()
    while time.perf_counter() < end and not done():
        await asyncio.sleep(0.05)
        now = clock.now()
        async with app.sessions() as session:
            busy, due, waiting = (
                await session.exec(
                    select(
                        func.count().filter(col(Outbox.state) == OutboxState.SENDING),
                        func.count().filter(
                            col(Outbox.state) == OutboxState.PENDING, col(Outbox.not_before) <= now
                        ),
                        func.min(col(Outbox.not_before)).filter(
                            col(Outbox.state) == OutboxState.PENDING
                        ),
                    )
                )
            ).one()
        target = min(t for t in (waiting, until) if t is not None) if waiting or until else None
        if not busy and not due and target is not None and target > now:
            skipped += target - now
            clock.skip(target - now)
    return skipped


async def _chat(notifier: Notifier, replies: list[float], stop: asyncio.Event) -> None:
    """People using the bot during the wave: a reply every 2 s, in turn, its latency kept."""
    turn = 0
    while not stop.is_set():
        await asyncio.sleep(2.0)
        asked = time.perf_counter()
        turn += 1
        try:
            await notifier.send(REPLY_CHATS[turn % len(REPLY_CHATS)], "你的清单")
        except TelegramNetworkError:  # --outage: Telegram unreachable, the reply is lost
            continue
        replies.append((time.perf_counter() - asked) * 1000)


async def measure(
    recipients: int, runs: int, rate: float, outage: timedelta | None = None
) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            result = await one_wave(recipients, Path(tmp) / f"wave{run}.sqlite3", rate, outage)
            print(
                f"run {run + 1}: {result.rate:.2f} msg/s, {result.refused} × 429, "
                f"{result.doubles} doubled, {result.losses} lost, "
                f"reply median {statistics.median(result.reply_ms):.0f} ms"
                + (f", {_outage_words(result.outage)}" if result.outage else ""),
                file=sys.stderr,
            )
            results.append(result)
    return results


def _outage_words(outage: Outage) -> str:
    return (
        f"{outage.before} out before the outage, {outage.tries} refused tries (at most "
        f"{outage.most} for one row), last sent {outage.recovery:.1f} s after the return "
        f"({outage.skipped:.1f} s of it skipped idle)"
    )


def _outage_table(args: argparse.Namespace, results: list[Result]) -> None:
    """The median run by the time from Telegram's return to the last message sent."""
    timed = [r for r in results if r.outage is not None]
    median = sorted(timed, key=lambda r: r.outage.recovery if r.outage else 0.0)[len(timed) // 2]
    assert median.outage is not None
    print(
        "| recipients | outage (min) | runs | out before | refused tries | most tries of a row "
        "| last sent after the return (s) | of it skipped idle (s) | doubles | losses "
        "| wall clock (s) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    o = median.outage
    print(
        f"| {args.recipients} | {args.outage:g} | {args.runs} | {o.before} | {o.tries} | {o.most} "
        f"| {o.recovery:.1f} | {o.skipped:.1f} | {median.doubles} | {median.losses} "
        f"| {median.seconds:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=28.0, help="SEND_RATE")
    parser.add_argument("--outage", type=float, default=0, help="minutes refused mid-wave")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the 429 waits log WARNINGs; counted instead
    outage = timedelta(minutes=args.outage) if args.outage else None
    results = asyncio.run(measure(args.recipients, args.runs, args.rate, outage))
    if outage is not None:
        _outage_table(args, results)
        return
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
