"""Benchmark: the 09:00 reminder run on generated districts of 100, 1,000 and 5,000 units, SQLite and PostgreSQL.

Each size is generated once (bench/gen_district.py; PostgreSQL databases lvze_run_<units>, SQLite
files under --dir), the ladder's memory and the outbox are emptied, and one run selects every step
due on Tuesday 2026-11-24 09:00 (every holder's catch-up, the 联络员 digests, the admins' list).
Each run is its own process (its peak memory is its own), with the start-up GC tuning of
`python -m bot`. Reported: messages, steps, the run's wall time, the event loop's stalls while
it ran (a task sleeping 10 ms and timing its wake-ups: p99 and max lateness), peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.gen_district import generate  # noqa: E402
from bot.__main__ import quiet_gc  # noqa: E402
from bot.services.calendar.workdays import load_calendar  # noqa: E402
from bot.services.reminders.ladder import LadderRules  # noqa: E402
from bot.services.reminders.run import run_reminders  # noqa: E402
from bot.texts import reminders as words  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 24, 9, 0, tzinfo=ZONE)
PG = "postgresql://postgres@127.0.0.1:5432/lvze_run_{units}"


def _urls(backend: str, units: int, folder: Path) -> tuple[str, str]:
    """The generator's URL and the app's."""
    if backend == "postgres":
        plain = PG.format(units=units)
        return plain, plain.replace("postgresql://", "postgresql+asyncpg://", 1)
    path = folder / f"run_{units}.sqlite3"
    return f"sqlite:///{path}", f"sqlite+aiosqlite:///{path}"


async def _lateness(stop: asyncio.Event, seen: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        seen.append((time.perf_counter() - started - 0.01) * 1000)


async def one(url: str) -> dict[str, float]:
    """Empty the ladder's memory and the outbox, then time one run (in this process)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for table in ("reply_meaning", "reminderstep", "outbox"):
                await conn.execute(text(f"DELETE FROM {table}"))
        gc.collect()
        quiet_gc()  # as python -m bot does at start
        stop, late = asyncio.Event(), []  # type: ignore[var-annotated]
        watcher = asyncio.create_task(_lateness(stop, late))
        async with session_factory(engine)() as session:
            calendar = await load_calendar(session)
            started = time.perf_counter()
            report = await run_reminders(
                session,
                now=AT,
                zone=ZONE,
                calendar=calendar,
                rules=LadderRules(escalation_grace=0),
                render=words.render,
            )
            seconds = time.perf_counter() - started
        stop.set()
        await watcher
    finally:
        await engine.dispose()
    late.sort()
    return {
        "messages": report.messages,
        "steps": report.steps,
        "seconds": seconds,
        "p99": late[int(len(late) * 0.99)] if late else 0.0,
        "max": late[-1] if late else 0.0,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", default="100,1000,5000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(one(args.child))), flush=True)
        return
    print(
        "| backend | units | messages | steps | run (s) | loop p99 late (ms) | loop max late (ms) | peak RSS (MB) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend in args.backends.split(","):
        for units in (int(n) for n in args.units.split(",")):
            plain, url = _urls(backend, units, args.dir)
            asyncio.run(generate(plain, units=units, records=units * 100))
            out = subprocess.run(
                [sys.executable, __file__, "--child", url],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            got = json.loads(out.strip().splitlines()[-1])
            print(
                f"| {backend} | {units:,} | {got['messages']:,} | {got['steps']:,} | "
                f"{got['seconds']:.1f} | {got['p99']:.0f} | {got['max']:.0f} | {got['rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
