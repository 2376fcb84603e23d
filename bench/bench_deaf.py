"""Benchmark: does the bot go deaf? /help latency idle and while heavy work runs, on the 1,000-unit district.

Five 联络员 (units U0002–U0006) each send /help once a second, as real Updates through the
production Dispatcher (bot.app.build_app against the in-process fake Bot API, the generated
district of bench/gen_district.py on a scratch copy of its SQLite file). Latency: from the
moment the /help was due (sent by the person) to its reply arriving at the fake API, so a
probe the blocked loop could not even feed counts its wait too (see Probe.chatting); each
update runs in its own task, as the poller runs them. Phases, one after the other:

  idle      nothing else running
  /units    an admin's /units (1,000 units: ten messages and a chart)
  /export   U0001's 联络员 presses 全年 (the 2026 workbook)
  import    an admin sends the whole directory (10,002 people) as a workbook
  the three import, /units and /export started at once
  + run     the three again, with the 09:00 reminder run (scheduler.jobs.remind, as the
            scheduler calls it) started at the same moment

Also: each heavy job's wall time and how soon its chat action showed, the run's duration and
the process's resident memory (peak over the phase, sampled every 50 ms, minus the start).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.gen_district import ITEMS, NOW, TG_BASE, generate  # noqa: E402
from bot.__main__ import quiet_gc  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localchat.driver import LocalChat, start_local_chat  # noqa: E402
from scheduler.jobs import remind  # noqa: E402
from storage.models import Person, PersonRole, Role, Unit  # noqa: E402

ADMIN, ADMIN2 = TG_BASE + 1, TG_BASE + 2
SECRETARY = TG_BASE + 12  # U0001's 联络员 (person 12)
PROBERS = [TG_BASE + 12 + 10 * k for k in range(1, 6)]  # U0002–U0006's 联络员
PAGE = 4096
Jobs = dict[str, tuple[Callable[[], Awaitable[object]], int | None]]  # job → start, its chat


@dataclass
class Phase:
    """One phase's probes and jobs."""

    name: str
    latencies: list[float] = field(default_factory=list)  # ms, /help in → reply at the fake API
    jobs: dict[str, float] = field(default_factory=dict)  # job → wall seconds
    first_action: dict[str, float] = field(default_factory=dict)  # job → ms to its chat action
    memory: float = 0.0  # MB, peak resident minus resident at the start


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


class Probe:
    """Watches the fake API: each /help's reply, each heavy job's first chat action."""

    def __init__(self, chat: LocalChat) -> None:
        self.chat = chat
        self.waiting: dict[int, list[asyncio.Future[float]]] = {}
        self.actions: dict[int, float] = {}
        self.handled: list[asyncio.Task[object]] = []
        chat.fake.observers.append(self.saw)

    def saw(self, method: str, params: dict[str, Any]) -> None:
        chat_id = int(params.get("chat_id") or 0)
        if method == "sendMessage" and self.waiting.get(chat_id):
            self.waiting[chat_id].pop(0).set_result(time.perf_counter())
        if method == "sendChatAction":
            self.actions.setdefault(chat_id, time.perf_counter())

    async def help(self, user: int) -> float:
        """Send /help now; the instant its reply reached the fake API (the update's own task
        may go on, e.g. committing its claim: collected in `handled`)."""
        reply: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(user, []).append(reply)
        self.handled.append(asyncio.create_task(self.chat.send_text(user, "/help")))
        return await asyncio.wait_for(reply, 300)

    async def chatting(self, phase: Phase, stop: asyncio.Event, least: float) -> None:
        """Each prober says /help once a second (staggered) until `stop` and `least` seconds.

        Latency counts from when a /help was due, not from when the loop got round to sending
        it. A person whose last /help is still unanswered does not send another (no pile of
        60 in one chat after a blocked minute); the /help they would have sent counts as
        answered with the outstanding one (the correction for coordinated omission)."""
        first = time.perf_counter()
        ends = first + least
        waits: list[asyncio.Task[float]] = []
        last: dict[int, asyncio.Task[float]] = {}
        step, n = 1.0 / len(PROBERS), 0
        while not stop.is_set() or time.perf_counter() < ends:
            due = first + n * step
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            user = PROBERS[n % len(PROBERS)]
            if user not in last or last[user].done():
                last[user] = asyncio.create_task(self.help(user))
            waits.append(asyncio.create_task(_since(due, last[user])))
            n += 1
        phase.latencies = list(await asyncio.gather(*waits))
        await asyncio.gather(*self.handled)
        self.handled.clear()


async def _since(due: float, reply: asyncio.Task[float]) -> float:
    return max(0.0, await asyncio.shield(reply) - due) * 1000  # 0: answered as it came due


async def directory_workbook(chat: LocalChat) -> bytes:
    """The district's own directory as the import workbook (a re-import: nothing changes)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    async with chat.app.sessions() as session:
        units = (await session.exec(select(Unit).order_by(col(Unit.id)))).all()
        codes = {u.id: u.code for u in units}
        sheet = book.create_sheet("单位")
        sheet.append(["单位编码", "单位名称", "类别", "上级单位编码"])
        for u in units:
            sheet.append([u.code, u.name, u.category.value if u.category else None, None])
        roles: dict[int, list[str]] = {}
        for person_id, role in (
            await session.exec(select(PersonRole.person_id, PersonRole.role))
        ).all():
            roles.setdefault(person_id, []).append(Role(role).value)
        sheet = book.create_sheet("人员")
        sheet.append(["人员编码", "姓名", "单位编码", "职务", "责任角色"])
        for p in (await session.exec(select(Person).order_by(col(Person.id)))).all():
            assert p.id is not None
            sheet.append(
                [p.code, p.name, codes[p.unit_id], p.position, "、".join(roles.get(p.id, []))]
            )
    with (ROOT / "examples" / "district" / "items.csv").open(encoding="utf-8", newline="") as f:
        sample = list(csv.reader(f))
    sheet = book.create_sheet("责任清单")
    sheet.append(sample[0])
    for row in sample[1:]:
        if row[0] in ITEMS:
            sheet.append([*row[:10], None, None])  # no 主责/协办 units: the generator has none
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def timed(
    phase: Phase, name: str, job: Awaitable[object], user: int | None, probe: Probe
) -> None:
    started = time.perf_counter()
    if user is not None:
        probe.actions.pop(user, None)
    await job
    phase.jobs[name] = time.perf_counter() - started
    if user is not None and user in probe.actions:
        phase.first_action[name] = (probe.actions[user] - started) * 1000


async def run_phase(
    probe: Probe,
    name: str,
    jobs: Jobs,
    least: float,
) -> Phase:
    phase, stop = Phase(name), asyncio.Event()
    base, peak = rss_mb(), [rss_mb()]

    async def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    chatting = asyncio.create_task(probe.chatting(phase, stop, least))
    await asyncio.sleep(0.5)  # the probes are under way before the work starts
    await asyncio.gather(
        *(timed(phase, job, start(), user, probe) for job, (start, user) in jobs.items())
    )
    stop.set()
    await asyncio.gather(chatting, sampler)
    phase.memory = peak[0] - base
    return phase


async def export_press(chat: LocalChat) -> Callable[[], Awaitable[object]]:
    """/export as U0001's 联络员, the year pressed; returns the press of 全年 (builds the workbook)."""
    years = next(s for s in await chat.send_text(SECRETARY, "/export") if s.buttons)
    assert years.message_id is not None
    span = next(
        s for s in await chat.press(SECRETARY, years.message_id, f"{NOW.year}年") if s.buttons
    )
    assert span.message_id is not None
    message_id = span.message_id
    return lambda: chat.press(SECRETARY, message_id, "全年")


async def bench(source: Path, work: Path, idle: float) -> list[Phase]:
    database = work / "bench.sqlite3"
    shutil.copy(source, database)
    settings = Settings(
        BOT_TOKEN="123456:" + "B" * 35,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_TIMEZONE="Asia/Shanghai",
    )
    app, _fake, chat = await start_local_chat(settings, clock=ManualClock(NOW))
    probe = Probe(chat)
    try:
        book = await directory_workbook(chat)
        press = await export_press(chat)
        for user in PROBERS:  # warm up
            await probe.help(user)

        def units() -> Awaitable[object]:
            return chat.send_text(ADMIN, "/units")

        def importing() -> Awaitable[object]:
            return chat.send_document(ADMIN2, book, "名单.xlsx")

        runs: list[str] = []

        async def run() -> None:
            report = await remind(app.jobs, NOW.replace(hour=9))
            runs.append(f"{report.messages} messages, {report.steps} steps")

        phases = [await run_phase(probe, "idle", {}, idle)]
        phases.append(await run_phase(probe, "/units", {"/units": (units, ADMIN)}, 5))
        phases.append(await run_phase(probe, "/export", {"/export": (press, SECRETARY)}, 5))
        phases.append(await run_phase(probe, "import", {"import": (importing, ADMIN2)}, 5))
        three: Jobs = {
            "import": (importing, ADMIN2),
            "/units": (units, ADMIN),
            "/export": (press, SECRETARY),
        }
        phases.append(await run_phase(probe, "import + /units + /export", three, 5))
        phases.append(
            await run_phase(probe, "the same + the 09:00 run", {"run": (run, None), **three}, 5)
        )
        replies = [
            s.plain for s in chat.fake.sent if s.chat_id == ADMIN2 and s.method == "sendMessage"
        ]
        print(f"the run: {runs[0]}; the import's last reply: {replies[-1][:60]!r}", flush=True)
        return phases
    finally:
        await chat.stop()


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(phases: list[Phase]) -> list[str]:
    idle = phases[0]
    lines = [
        "| phase | /help n | p50 (ms) | p99 (ms) | max (ms) | p99 − idle p99 (ms) | jobs (s) | chat action after (ms) | RSS peak + (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for p in phases:
        jobs = ", ".join(f"{k} {v:.1f}" for k, v in p.jobs.items()) or "—"
        acts = ", ".join(f"{k} {v:.0f}" for k, v in p.first_action.items()) or "—"
        lines.append(
            f"| {p.name} | {len(p.latencies)} | {statistics.median(p.latencies):.1f} "
            f"| {pct(p.latencies, 99):.1f} | {max(p.latencies):.1f} "
            f"| {pct(p.latencies, 99) - pct(idle.latencies, 99):+.1f} | {jobs} | {acts} | {p.memory:.0f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sqlite", default="/tmp/lvze_bench/bench.sqlite3", help="generated here if missing"
    )
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of the idle phase")
    args = parser.parse_args()
    source = Path(args.sqlite)
    asyncio.run(generate(f"sqlite:///{source}"))
    quiet_gc()  # as python -m bot does at start
    with tempfile.TemporaryDirectory() as tmp:
        phases = asyncio.run(bench(source, Path(tmp), args.idle))
    print("\n".join(table(phases)))


if __name__ == "__main__":
    main()
