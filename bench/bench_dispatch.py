"""Benchmark: /my through the production Dispatcher and HTTP session, small and large district."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import generate  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.demo import bind_everyone, load_people  # noqa: E402
from bot.localchat.driver import LocalChat, start_local_chat  # noqa: E402
from bot.services.importing.apply import import_directory  # noqa: E402
from bot.services.importing.read import read_directory  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)


async def start(folder: Path, database: Path, person: str) -> tuple[LocalChat, int]:
    """A running bot on its own SQLite file with `folder` imported and everyone bound."""
    settings = Settings(
        BOT_TOKEN="123456:" + "B" * 35,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_TIMEZONE="Asia/Shanghai",
    )
    app, _, chat = await start_local_chat(settings, clock=ManualClock(NOW))
    async with app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    await bind_everyone(app.sessions, now=NOW)
    user = (await load_people(app.sessions))[person].telegram_id
    assert user is not None
    return chat, user


async def my_ms(chat: LocalChat, user: int) -> float:
    """Milliseconds for one /my: update in, reply recorded by the fake Bot API."""
    start = time.perf_counter()
    sent = await chat.send_text(user, "/my")
    elapsed = (time.perf_counter() - start) * 1000
    assert sent
    assert "【" in sent[0].plain
    return elapsed


async def measure(big: Path, tmp: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Alternate small and large district in one loop, so drift on a shared machine hits both."""
    small_chat, small_user = await start(ROOT / "examples" / "district", tmp / "s.sqlite3", "P0101")
    big_chat, big_user = await start(big, tmp / "b.sqlite3", "P000001")
    try:
        for _ in range(5):  # warm up
            await my_ms(small_chat, small_user)
            await my_ms(big_chat, big_user)
        small, large = [], []
        for _ in range(repeat):
            small.append(await my_ms(small_chat, small_user))
            large.append(await my_ms(big_chat, big_user))
        return small, large
    finally:
        await small_chat.stop()
        await big_chat.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--people", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        big.mkdir()
        generate(big, units=args.people // 10, people=args.people, items=200)
        small_times, big_times = asyncio.run(measure(big, Path(tmp), args.repeat))
    small, large = statistics.median(small_times), statistics.median(big_times)
    print("| district | people | /my median (ms) | /my p95 (ms) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| sample | 40 | {small:.2f} | {statistics.quantiles(small_times, n=20)[-1]:.2f} |")
    print(
        f"| synthetic | {args.people} | {large:.2f} | {statistics.quantiles(big_times, n=20)[-1]:.2f} |"
    )
    print(f"ratio large/small median: {large / small:.2f}")


if __name__ == "__main__":
    main()
