"""Benchmark: `serve` webhook workers on one PostgreSQL under a reply wave, beside an echo bot, and a worker SIGKILLed mid-load.

The district of bench/gen_district.py (default 1,000 units: 10,002 people) is generated once
into a template database; every scenario starts from a fresh copy. A reminder run (`python -m
bot tick`) sends everyone their reminders through the fake Bot API first; then each official
holds one conversation: a reply to their reminder naming one of their items (→ a proposal),
确认 on it when it came with one (→ the record), and now and then /my. Telegram's side
(bench/serve_rig.py) posts each update to the workers in turn and, as Telegram does, delivers
it again to the next worker when the answer is not 200. Latency: from the POST to the reply
reaching the fake Bot API.

  wave     one worker, the real send limit (SEND_RATE 28/s, the fake answering 429 as
           Telegram does): the officials start evenly over --minutes
  flood    1, 2 and 3 workers and the echo bot, the pacer lifted (SEND_RATE=1000): --flood
           officials, --concurrency of them at a time: updates/s, CPU per update
  kill     the flood on 2 workers; one is SIGKILLed a third of the way in: every update is
           handled once (its claim), and no reply is sent twice

Needs PostgreSQL (--db, default postgresql://postgres@127.0.0.1:5432) and Redis for the shared
pacer (--redis, default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench.gen_district import generate  # noqa: E402
from bench.serve_data import (  # noqa: E402
    TEMPLATE,
    Official,
    fresh_copy,
    officials,
    once_each,
    reminded,
    seed_reminders,
)
from bench.serve_rig import (  # noqa: E402
    BenchFake,
    Replies,
    Telegram,
    Worker,
    press,
    start_fake,
    start_worker,
    text_message,
    worker_env,
)
from bot.localchat.limits import TelegramLimits  # noqa: E402


@dataclass
class Result:
    """One scenario's measurements."""

    name: str
    latencies: dict[str, list[float]] = field(default_factory=dict)
    updates: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    retries: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def row(self) -> str:
        every = [s for values in self.latencies.values() for s in values]
        p50, p99 = statistics.median(every), _pct(every, 99)
        rate = self.updates / self.seconds
        cpu = 1000 * self.cpu / max(self.updates, 1)
        return (
            f"| {self.name} | {self.updates} | {rate:.0f} | {1000 * p50:.0f} | "
            f"{1000 * p99:.0f} | {cpu:.1f} | {self.retries} |"
        )


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def converse(
    tg: Telegram, fake: BenchFake, replies: Replies, who: Official, result: Result, my: bool
) -> None:
    """One official: a reply to the reminder (or a sentence), 确认 if proposed, maybe /my."""
    reminder = fake.reminders.get(who.uid)  # bench.serve_data.seed_reminders
    reply_to = fake.message(who.uid, reminder) if reminder is not None else None
    first = tg.update("message", text_message(fake, who.uid, who.sentence, reply_to))
    await _step(tg, replies, who.uid, result, "reply" if reply_to else "sentence", first)
    if (button := replies.confirm_of(who.uid)) is not None:
        await _step(
            tg,
            replies,
            who.uid,
            result,
            "确认",
            tg.update("callback_query", press(fake, who.uid, *button, 0)),
        )
    if my:
        await _step(
            tg,
            replies,
            who.uid,
            result,
            "/my",
            tg.update("message", text_message(fake, who.uid, "/my")),
        )


async def _step(
    tg: Telegram, replies: Replies, uid: int, result: Result, kind: str, update: dict[str, Any]
) -> None:
    before = len(replies.at[uid])
    start = time.perf_counter()
    await tg.deliver(update)
    result.updates += 1
    if len(replies.at[uid]) > before:
        arrived = replies.at[uid][before]
    else:
        tg.unanswered += 1
        arrived = time.perf_counter()
    result.add(kind, arrived - start)


async def run_workers(
    db_url: str, api: str, n: int, *, send_rate: int, redis: str, echo: bool = False
) -> list[Worker]:
    workers = []
    for k in range(n):
        env = worker_env(
            db_url, api, 18600 + k, send_rate=send_rate, REDIS_URL=redis, LOG_LEVEL="INFO"
        )
        argv = ["bench/echo_serve.py"] if echo else ["-m", "bot", "serve"]
        workers.append(await start_worker(argv, env, "serving the webhook"))
    return workers


async def scenario(
    args: argparse.Namespace,
    name: str,
    n: int,
    *,
    wave: bool,
    echo: bool = False,
    kill: bool = False,
) -> Result:
    """Start the fake and n workers on a fresh copy, send the reminders, run the conversations."""
    fake, replies, api = await start_fake(enforce_limits=False)
    db_url = await fresh_copy(args.db, await reminded(args.db, args.units))
    result = Result(name)
    got = await seed_reminders(args.db, fake)
    result.notes.append(f"{got} chats had a reminder to reply to")
    fake.limits = TelegramLimits() if wave else None
    workers = await run_workers(
        db_url, api, n, send_rate=28 if wave else 1000, redis=args.redis, echo=echo
    )
    tg = Telegram(workers)
    try:
        people = await officials(args.db, args.officials if wave else args.flood)
        rng = random.Random(5)
        plan = [(who, rng.random() < args.my) for who in people]
        cpu0 = sum(w.cpu_seconds() for w in workers)
        start = time.perf_counter()
        if wave:
            spread = args.minutes * 60 / len(plan)

            async def later(k: int, who: Official, my: bool) -> None:
                await asyncio.sleep(k * spread)
                await converse(tg, fake, replies, who, result, my)

            await asyncio.gather(*(later(k, w, m) for k, (w, m) in enumerate(plan)))
        else:
            gate = asyncio.Semaphore(args.concurrency)
            killed = asyncio.Event()

            async def one(k: int, who: Official, my: bool) -> None:
                async with gate:
                    if kill and k == len(plan) // 3 and not killed.is_set():
                        killed.set()
                        await workers[0].kill()
                    await converse(tg, fake, replies, who, result, my)

            await asyncio.gather(*(one(k, w, m) for k, (w, m) in enumerate(plan)))
        result.seconds = time.perf_counter() - start
        result.cpu = sum(w.cpu_seconds() for w in workers if w.process.returncode is None) - cpu0
        result.retries = tg.retries
        if kill:
            result.notes += await once_each(args.db, tg, replies, plan)
    finally:
        await tg.close()
        for worker in workers:
            await worker.stop()
        await fake.stop()
    return result


async def main_async(args: argparse.Namespace) -> list[Result]:
    await generate(
        f"{args.db}/{TEMPLATE.format(units=args.units)}", units=args.units, records=args.units * 100
    )
    results = []
    if "flood" in args.scenarios:
        results.append(await scenario(args, "echo bot, 1 process", 1, wave=False, echo=True))
        for n in args.workers:
            results.append(await scenario(args, f"flood, {n} worker(s)", n, wave=False))
    if "kill" in args.scenarios:
        results.append(
            await scenario(args, "flood, 2 workers, one SIGKILLed", 2, wave=False, kill=True)
        )
    if "wave" in args.scenarios:
        results.append(await scenario(args, f"wave, 1 worker, {args.minutes} min", 1, wave=True))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--officials", type=int, default=10_000, help="officials in the wave")
    parser.add_argument("--minutes", type=float, default=10.0, help="the wave's length")
    parser.add_argument("--flood", type=int, default=1500, help="officials in a flood")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--my", type=float, default=0.1, help="share of officials also sending /my")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scenarios", nargs="+", default=["flood", "kill", "wave"])
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    print(
        "| scenario | updates | updates/s | p50 (ms) | p99 (ms) | CPU per update (ms) | redeliveries |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(result.row())
    for result in results:
        for kind, values in result.latencies.items():
            print(
                f"{result.name} · {kind}: n {len(values)}, p50 {1000 * statistics.median(values):.0f} ms, p99 {1000 * _pct(values, 99):.0f} ms"
            )
        for note in result.notes:
            print(f"{result.name}: {note}")


if __name__ == "__main__":
    main()
