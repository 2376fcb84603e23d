"""Benchmark: import a large synthetic district into fresh SQLite, then re-import it unchanged."""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.services.importing.apply import ImportSummary, import_directory  # noqa: E402
from bot.services.importing.read import ITEM_COLUMNS, read_directory  # noqa: E402
from storage.db import create_engine, migrate, session_factory  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("镇街类", "政府行政部门类", "统筹协调部门类", "党群服务部门类")
FREQUENCIES = ("每月", "每季度", "每半年", "每年")


def _write(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def generate(folder: Path, *, units: int, people: int, items: int) -> None:
    """A district: the first person of each unit is its 第一责任人, then 纪检, 联络员, members."""
    _write(
        folder / "units.csv",
        ["单位编码", "单位名称", "类别", "上级单位编码"],
        [["U0000", "区纪委监委", "", ""]]
        + [[f"U{n:04d}", f"单位{n}", CATEGORIES[n % 4], "U0000"] for n in range(1, units)],
    )
    person_rows = []
    for n in range(people):
        unit = n % units
        slot = n // units
        role = {0: "第一责任人", 1: "纪检负责人", 2: "联络员"}.get(slot, "班子成员")
        person_rows.append([f"P{n:06d}", f"人员{n}", f"U{unit:04d}", "职务", role])
    _write(folder / "people.csv", ["人员编码", "姓名", "单位编码", "职务", "责任角色"], person_rows)
    scopes = ("第一责任人", "班子成员", "纪检负责人", "单位班子")
    item_rows = []
    for n in range(items):
        common = n < 40
        holder = (n * 37) % people
        if holder // units == 2:  # a 联络员 holds no item: give it to the unit's 第一责任人
            holder -= 2 * units
        scope = scopes[n % 4] if common else f"P{holder:06d}"
        frequency = FREQUENCIES[n % 4]
        deadline = "12-31" if frequency == "每年" else ""
        kind = "共性" if common else "个性"
        head = [f"X{n:04d}", kind, "主体责任", scope, f"责任内容{n}", "措施", "进度"]
        item_rows.append([*head, frequency, deadline, "", "U0001", "U0002、U0003"])
    _write(folder / "items.csv", list(ITEM_COLUMNS), item_rows)


async def run_once(folder: Path, database: Path) -> tuple[float, float, ImportSummary]:
    """Seconds for the first import and for the unchanged re-import (`database` must not exist)."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        timings: list[float] = []
        summary: ImportSummary | None = None
        for _ in range(2):
            start = time.perf_counter()
            tables = read_directory(folder)
            async with sessions() as session:
                summary = await import_directory(session, tables=tables, now=NOW, zone=ZONE)
            timings.append(time.perf_counter() - start)
        assert summary is not None
        return timings[0], timings[1], summary
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, units=args.units, people=args.people, items=args.items)
        firsts: list[float] = []
        agains: list[float] = []
        for number in range(args.repeat):
            database = folder / f"bench{number}.sqlite3"
            first, again, summary = asyncio.run(run_once(folder, database))
            assert summary.changed_nothing, "the re-import changed something"
            firsts.append(first)
            agains.append(again)
        tracemalloc.start()  # one more, traced run (tracing slows it: not timed)
        asyncio.run(run_once(folder, folder / "traced.sqlite3"))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first_s, again_s = statistics.median(firsts), statistics.median(agains)
    print(
        f"units={args.units} people={args.people} items={args.items} "
        f"holdings={summary.holdings.unchanged} repeats={args.repeat}"
    )
    print(f"first import: median {first_s:.2f} s; re-import: median {again_s:.2f} s")
    print(f"peak traced memory {peak / 2**20:.1f} MiB; max RSS {rss_mb:.0f} MiB")
    print("| units | people | items | holdings | first import (s) | re-import (s) | peak MiB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.units} | {args.people} | {args.items} | {summary.holdings.unchanged} "
        f"| {first_s:.2f} | {again_s:.2f} | {peak / 2**20:.0f} |"
    )


if __name__ == "__main__":
    main()
