"""Benchmark: /pending, /units and /export on the large district (bench/gen_district.py), SQLite and PostgreSQL.

Each command is a real Update fed to the production Dispatcher (bot.app.build_app against the
in-process fake Bot API), the person bound; the time is feed_update's, from the update in to
the last reply recorded by the fake API (the export: the press of 全年 that builds and sends
the workbook). Warm-up rounds first, then up to --rounds rounds (or --budget seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_district import NOW, TG_BASE, generate  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.driver import LocalChat, Sent, start_local_chat  # noqa: E402

ADMIN, FIRST, SECRETARY = 1, 3, 12  # person ids: P000001 管理员; U0001's 第一责任人 and 联络员
Step = Callable[[], Awaitable[list[Sent]]]


def sa_url(url: str) -> str:
    if url.startswith("sqlite:"):
        return url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def export_step(chat: LocalChat, user: int) -> Step:
    """/export as the 联络员, press the year, then return the press of 全年 (the workbook)."""
    sent = await chat.send_text(user, "/export")
    year = next(s for s in sent if s.buttons)
    assert year.message_id is not None, sent
    sent = await chat.press(user, year.message_id, f"{NOW.year}年")
    span = next(s for s in sent if s.buttons)
    assert span.message_id is not None, sent
    message_id = span.message_id

    async def press() -> list[Sent]:
        found = await chat.press(user, message_id, "全年")
        assert any(s.method == "sendDocument" for s in found), [s.plain for s in found]
        return found

    return press


async def measure(
    step: Step, *, rounds: int, warmup: int, budget: float
) -> tuple[list[float], list[float]]:
    """Wall and CPU (this process, all threads) milliseconds per round."""
    for _ in range(warmup):
        await step()
    times: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < rounds and (len(times) < 5 or time.perf_counter() < deadline):
        start, used = time.perf_counter(), time.process_time()
        sent = await step()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        assert sent, "no reply"
    return times, cpu


@dataclass(order=True)
class Statement:
    """One statement a round ran: its time, text and parameters (as the driver got them)."""

    ms: float
    sql: str = field(compare=False)
    params: Any = field(compare=False)


class Trace:
    """The SQL statements one round runs, timed around cursor execute; EXPLAIN on request."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self._started = engine, 0.0
        self.found: list[Statement] = []

    def before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def after(self, _conn: Any, _cursor: Any, sql: str, params: Any, *_args: Any) -> None:
        self.found.append(Statement((time.perf_counter() - self._started) * 1000, sql, params))

    async def run(self, step: Step) -> list[Statement]:
        sync = self.engine.sync_engine
        event.listen(sync, "before_cursor_execute", self.before)
        event.listen(sync, "after_cursor_execute", self.after)
        try:
            await step()
        finally:
            event.remove(sync, "before_cursor_execute", self.before)
            event.remove(sync, "after_cursor_execute", self.after)
        found, self.found = self.found, []
        return sorted(found, reverse=True)

    async def explain(self, statement: Statement) -> list[str]:
        """The plan the database chooses for the statement, with the same parameters."""
        sqlite = self.engine.dialect.name == "sqlite"
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        async with self.engine.connect() as conn:
            rows = await conn.exec_driver_sql(prefix + statement.sql, statement.params)
            return [" ".join(str(v) for v in r[-1:]) for r in rows.all()]


def row(backend: str, name: str, times: list[float], cpu: list[float]) -> str:
    p50 = statistics.median(times)
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) > 1 else p50
    return (
        f"| {backend} | {name} | {len(times)} | {p50:.1f} | {p99:.1f} | {max(times):.1f} "
        f"| {statistics.median(cpu):.1f} |"
    )


async def bench(url: str, args: argparse.Namespace) -> list[str]:
    await generate(url)
    settings = Settings(
        BOT_TOKEN="123456:" + "B" * 35,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=sa_url(url),
        BOT_TIMEZONE="Asia/Shanghai",
    )
    app, _fake, chat = await start_local_chat(settings, clock=ManualClock(NOW))
    trace = Trace(app.engine)
    backend = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    lines = []
    try:
        steps: dict[str, Step] = {
            "/pending (联络员, whole unit)": lambda: chat.send_text(
                TG_BASE + SECRETARY, "/pending"
            ),
            "/pending (第一责任人, own list)": lambda: chat.send_text(TG_BASE + FIRST, "/pending"),
            "/units (管理员, 1,000 units)": lambda: chat.send_text(TG_BASE + ADMIN, "/units"),
        }
        if "export" in args.commands:
            steps["/export U0001 2026 全年 (联络员)"] = await export_step(chat, TG_BASE + SECRETARY)
        for name, step in steps.items():
            if not any(word in name for word in args.commands):
                continue
            times, cpu = await measure(
                step, rounds=args.rounds, warmup=args.warmup, budget=args.budget
            )
            lines.append(row(backend, name, times, cpu))
            print(lines[-1], flush=True)
            if args.trace:
                statements = await trace.run(step)
                total = sum(s.ms for s in statements)
                print(f"  {len(statements)} statements, {total:.1f} ms in SQL; slowest:")
                for statement in statements[: args.trace]:
                    print(f"  {statement.ms:8.1f} ms  {' '.join(statement.sql.split())}")
                    if statement.ms >= args.explain_over and statement.sql.startswith("SELECT"):
                        for line in await trace.explain(statement):
                            print(f"             plan: {line}")
    finally:
        await chat.stop()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", default="sqlite:////tmp/lvze_bench/bench.sqlite3")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/lvze_bench")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=90.0, help="seconds per command at most")
    parser.add_argument("--commands", nargs="*", default=["pending", "units", "export"])
    parser.add_argument("--trace", type=int, default=0, help="show the N slowest statements")
    parser.add_argument("--explain-over", type=float, default=50.0, help="ms; with --trace")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    urls = [
        u
        for b, u in (("sqlite", args.sqlite), ("postgres", args.postgres))
        if args.only in (None, b)
    ]
    lines = [
        "| database | command | rounds | p50 (ms) | p99 (ms) | max (ms) | CPU p50 (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for url in urls:
        lines += asyncio.run(bench(url, args))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
