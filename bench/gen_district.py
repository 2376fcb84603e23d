"""Generate a large district (1,000 units, 10,000 people, ≈100,000 due items, 1,000,000 records) by bulk insert.

Usage: python bench/gen_district.py sqlite:///tmp/lvze_bench.sqlite3
       python bench/gen_district.py postgresql://postgres@127.0.0.1:5432/lvze_bench
The database is created (PostgreSQL) and migrated first; a finished run leaves an audit entry
`bench.generated`, and a database that has it is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.services.calendar.periods import DueRule, periods_between  # noqa: E402
from bot.services.calendar.workdays import WorkCalendar  # noqa: E402
from bot.services.ledger.builtin import SYSTEM_ITEMS  # noqa: E402
from storage.db import create_engine, migrate  # noqa: E402
from storage.models import Category, Frequency, Role  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()
YEAR_START = date(TODAY.year, 1, 1)
MARKER = "bench.generated"
TG_BASE = 20_000_000  # Telegram id of person n: TG_BASE + n
UNITS, RECORDS = 1000, 1_000_000
MEMBERS = 7  # per unit: 第一责任人, 纪检负责人, 7 班子成员, 联络员 = 10 people
CATEGORY_SHARE = (
    (Category.TOWN, 131),
    (Category.GOVERNMENT, 443),
    (Category.COORDINATION, 197),
    (Category.PARTY_SERVICE, 229),
)
# item code → scope (a role, or None for 单位班子); contents come from examples/district
ITEMS: dict[str, Role | None] = {
    "C01": Role.FIRST,
    "C02": Role.FIRST,
    "C07": Role.FIRST,
    "S02": Role.DISCIPLINE,
    "S03": Role.DISCIPLINE,
    "D01": None,
    "M03": Role.MEMBER,
}


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国海峰丽娟志强晓梅文斌国栋雅琴长青冬梅秀兰红梅明婷慧燕涛雪磊敏倩静刚平军华勇杰芳娜伟强"
ACTS = _words(
    "召开党委会专题研究党风廉政建设工作、与分管科室负责人开展廉政谈话、"
    "组织全体干部观看警示教育片、开展节前廉洁提醒、对作风建设情况开展明察暗访、"
    "听取分管领域党风廉政建设情况汇报、排查廉政风险点并更新防控台账、开展谈心谈话、"
    "对苗头性问题开展提醒谈话、更新履责记实台账、召开专题会议传达上级纪委全会精神、"
    "检查中央八项规定精神落实情况、初核一件信访举报问题线索、组织学习党纪法规、"
    "为全体党员讲廉政党课",
    "、",
)
WHEN = ("今天上午", "今天下午", "上午", "下午", "本周", "今天", "")


COLUMNS = {  # table → columns, as the rows are built
    "unit": _words("id code name category parent_id group_chat_id active created_at updated_at"),
    "person": _words(
        "id code name unit_id position telegram_id bound_at unreachable_at active "
        "created_at updated_at"
    ),
    "personrole": _words("person_id role"),
    "item": _words(
        "id code list_kind duty_type scope_kind scope_role scope_person_id content "
        "measures timeline frequency deadline lead owner_unit_id co_unit_codes system "
        "active created_at updated_at"
    ),
    "holding": _words("id item_id unit_id person_id active created_at"),
    "dueitem": _words(
        "id holding_id period_key period_start period_end due_date created_at closed_at "
        "closed_by closed_reason"
    ),
    "record": _words(
        "id due_item_id author_id unit_id text happened_on recorded_at corrects_id "
        "late_reason source_chat_id source_message_id voids_id file_id file_kind origin"
    ),
    "assessment": _words("id unit_id year result score imported_at"),
    "auditentry": _words("id at actor_person_id actor_telegram_id action detail"),
}
TABLES = tuple(COLUMNS)


@dataclass
class Rows:
    """Rows per table, in insert order; ids are assigned here (1, 2, …)."""

    tables: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {t: [] for t in TABLES}
    )

    def add(self, table: str, *values: Any) -> int:
        rows = self.tables[table]
        rows.append(values)
        return len(rows)


def _sample_items() -> dict[str, list[str]]:
    path = ROOT / "examples" / "district" / "items.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[0]: row for row in csv.reader(handle)}


def _instant(day: date, rng: random.Random) -> datetime:
    at = clock_time(rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59))
    return min(datetime.combine(day, at, ZONE), NOW).astimezone(UTC)


@dataclass(frozen=True)
class Due:
    """A due item as the record generator needs it."""

    id: int
    unit: int
    author: int
    start: date
    end: date
    due: date


def build_directory(
    rows: Rows, rng: random.Random
) -> tuple[dict[int, list[Due]], dict[int, list[int]]]:
    """Units, people, roles, items, holdings and due items; returns due items and officials per unit."""
    made = NOW.astimezone(UTC)
    created = datetime.combine(YEAR_START, clock_time(9), ZONE).astimezone(UTC)
    admin_unit = rows.add(
        "unit", 1, "U0000", "区纪委监委", None, None, None, True, created, created
    )
    for n, (code, name) in enumerate((("P000001", "周建国"), ("P000002", "吴晓梅")), 1):
        rows.add(
            "person",
            n,
            code,
            name,
            admin_unit,
            "区纪委常委",
            TG_BASE + n,
            made,
            None,
            True,
            created,
            created,
        )
        rows.add("personrole", n, Role.ADMIN.name)
    sample = _sample_items()
    rule = DueRule(WorkCalendar())
    items: dict[str, tuple[int, Frequency, str | None, str | None]] = {}
    for code, role in ITEMS.items():
        row = sample[code]
        frequency, deadline = Frequency(row[7]), row[8] or None
        scope_of = ("ROLE", role.name) if role else ("UNIT_TEAM", None)
        item_id = rows.add(
            "item",
            len(rows.tables["item"]) + 1,
            code,
            "COMMON",
            "MAIN" if row[2] == "主体责任" else "SUPERVISION",
            *scope_of,
            None,
            row[4],
            row[5],
            row[6],
            frequency.name,
            deadline,
            "",
            None,
            "",
            None,
            True,
            created,
            created,
        )
        items[code] = (item_id, frequency, deadline, None)
    for spec in SYSTEM_ITEMS:
        item_id = rows.add(
            "item",
            len(rows.tables["item"]) + 1,
            spec.code,
            "COMMON",
            "MAIN",
            "OFFICIALS",
            None,
            None,
            spec.content,
            spec.measures,
            "",
            spec.frequency.name,
            None,
            "",
            None,
            "",
            spec.system,
            True,
            created,
            created,
        )
        items[spec.code] = (item_id, spec.frequency, None, spec.system)
    periods = {
        code: [
            (p, rule.nominal(p, deadline, system))
            for p in periods_between(frequency, YEAR_START, TODAY, deadline)
        ]
        for code, (_, frequency, deadline, system) in items.items()
    }
    shares = [category for category, count in CATEGORY_SHARE for _ in range(count)]
    dues: dict[int, list[Due]] = {}
    officials: dict[int, list[int]] = {}

    def hold(code: str, unit: int, person: int | None, author: int) -> None:
        holding = rows.add(
            "holding", len(rows.tables["holding"]) + 1, items[code][0], unit, person, True, created
        )
        for period, nominal in periods[code]:
            due_id = len(rows.tables["dueitem"]) + 1
            rows.add(
                "dueitem",
                due_id,
                holding,
                period.key,
                period.start,
                period.end,
                nominal,
                created,
                None,
                None,
                None,
            )
            dues[unit].append(Due(due_id, unit, author, period.start, period.end, nominal))

    for n in range(1, UNITS + 1):
        category = shares[(n - 1) * len(shares) // UNITS]  # the same shares at any size
        unit = rows.add(
            "unit",
            n + 1,
            f"U{n:04d}",
            f"单位{n:04d}",
            category.name,
            admin_unit,
            -(1_000_000 + n),
            True,
            created,
            created,
        )
        dues[unit], officials[unit] = [], []
        roles = [Role.FIRST, Role.DISCIPLINE] + [Role.MEMBER] * MEMBERS + [Role.SECRETARY]
        secretary = len(rows.tables["person"]) + len(roles)
        for slot, role in enumerate(roles):
            person = len(rows.tables["person"]) + 1
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            rows.add(
                "person",
                person,
                f"P{person:06d}",
                name,
                unit,
                role.value + str(slot),
                TG_BASE + person,
                made,
                None,
                True,
                created,
                created,
            )
            rows.add("personrole", person, role.name)
            if role is Role.SECRETARY:
                continue
            officials[unit].append(person)
            for code, scope in ITEMS.items():
                if scope is role:
                    hold(code, unit, person, person)
            hold("ZC", unit, person, person)
            hold("BG", unit, person, person)
        hold("D01", unit, None, secretary)
        rows.add(
            "assessment",
            len(rows.tables["assessment"]) + 1,
            unit,
            TODAY.year - 1,
            rng.choice(("好", "较好", "较好", "一般", "差")),
            round(rng.uniform(70, 99), 1),
            created,
        )
    return dues, officials


def build_records(
    rows: Rows, dues: dict[int, list[Due]], officials: dict[int, list[int]], rng: random.Random
) -> Iterator[int]:
    """Records: recorded due items (1–3 rows each, late ones with a reason, a few corrected or
    undone), then free-standing records up to RECORDS; yields the unit number as it goes."""
    quality = {unit: rng.betavariate(5, 2) for unit in dues}
    attached = 0
    for unit, unit_dues in dues.items():
        q = quality[unit]
        for due in unit_dues:
            if due.start > TODAY:
                continue
            chance = q if due.due < TODAY else q * 0.4
            if rng.random() >= chance:
                continue
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                attached += 1
                _record(
                    rows, rng, due.unit, due.author, due.id, due.start, min(due.end, TODAY), due.due
                )
        yield unit
    free = max(0, RECORDS - attached)
    weights = [quality[unit] for unit in dues]
    units = list(dues)
    for unit in rng.choices(units, weights=weights, k=free):
        start = YEAR_START + timedelta(days=rng.randrange((TODAY - YEAR_START).days + 1))
        _record(rows, rng, unit, rng.choice(officials[unit]), None, start, start, None)


def _record(
    rows: Rows,
    rng: random.Random,
    unit: int,
    author: int,
    due_id: int | None,
    first: date,
    last: date,
    due: date | None,
) -> None:
    happened = first + timedelta(days=rng.randrange((last - first).days + 1))
    recorded = _instant(min(happened + timedelta(days=rng.choice((0, 0, 0, 1, 2))), TODAY), rng)
    late = (
        "当时外出，回来后补记"
        if due is not None and recorded.astimezone(ZONE).date() > due
        else None
    )
    text = f"{rng.choice(WHEN)}{rng.choice(ACTS)}"
    record_id = len(rows.tables["record"]) + 1
    roll = rng.random()
    corrects = voids = None
    if roll < 0.004 and record_id > 1:
        prior = rows.tables["record"][-1]
        if prior[1] == due_id and prior[2] == author and prior[11] is None:
            corrects = prior[0]
            text += "（更正：时间写错）"
    elif roll < 0.007 and record_id > 1:
        prior = rows.tables["record"][-1]
        if prior[1] == due_id and prior[2] == author and prior[11] is None and prior[7] is None:
            voids, text = prior[0], "撤销"
    rows.add(
        "record",
        record_id,
        due_id,
        author,
        unit,
        text,
        happened,
        recorded,
        corrects,
        late,
        TG_BASE + author,
        None,
        voids,
        None,
        None,
        None,
    )


def sqlite_value(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (naive UTC instants with microseconds)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def marked(url: str) -> bool:
    """Migrate, then: has a finished run left its marker?"""
    engine = create_engine(url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            from sqlalchemy import text

            found = await conn.execute(
                text("SELECT 1 FROM auditentry WHERE action = :a"), {"a": MARKER}
            )
            return found.first() is not None
    finally:
        await engine.dispose()


def insert_sqlite(path: str, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    columns = COLUMNS[table]
    marks = ", ".join("?" * len(columns))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            ([sqlite_value(v) for v in row] for row in rows),
        )


async def insert_postgres(dsn: str, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))
        if "id" in COLUMNS[table]:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    finally:
        await conn.close()


async def create_database(dsn: str) -> None:
    base, name = dsn.rsplit("/", 1)
    conn = await asyncpg.connect(base + "/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def say(started: float, text: str) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {text}", flush=True)


async def generate(url: str, *, seed: int = 7, units: int = 1000, records: int = 0) -> None:
    """Create (PostgreSQL), migrate, and fill the database unless it was generated already
    (`units` units, `records` records: by default 1,000 a unit)."""
    global UNITS, RECORDS
    UNITS, RECORDS = units, records or units * 1000
    started = time.monotonic()
    postgres = url.startswith("postgres")
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    sa_url = (
        dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        if postgres
        else url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    )
    if postgres:
        await create_database(dsn)
    if await marked(sa_url):
        say(started, f"{url}: already generated, nothing to do")
        return
    rng = random.Random(seed)
    rows = Rows()
    dues, officials = build_directory(rows, rng)
    say(
        started,
        f"directory: {len(rows.tables['person'])} people, "
        f"{len(rows.tables['holding'])} holdings, {len(rows.tables['dueitem'])} due items",
    )
    for unit in build_records(rows, dues, officials, rng):
        if unit % 250 == 0:
            say(started, f"records for {unit} units: {len(rows.tables['record'])}")
    say(started, f"records: {len(rows.tables['record'])}")
    rows.add(
        "auditentry",
        1,
        NOW,
        None,
        None,
        MARKER,
        f"units={UNITS} records={len(rows.tables['record'])} seed={seed}",
    )
    for table in TABLES:  # the marker (auditentry) last: an interrupted run is not marked
        batch = rows.tables[table]
        if postgres:
            await insert_postgres(dsn, table, batch)
        else:
            await asyncio.to_thread(insert_sqlite, url.split(":///", 1)[1], table, batch)
        say(started, f"{table}: {len(batch)} rows")
    if postgres:  # as autovacuum would soon; SQLite is left unanalysed, as the bot leaves it
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
    say(started, "done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="sqlite:///path/to/file.sqlite3 or postgresql://…/lvze_bench")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--records", type=int, default=0, help="default: 1,000 a unit")
    args = parser.parse_args()
    asyncio.run(generate(args.url, seed=args.seed, units=args.units, records=args.records))


if __name__ == "__main__":
    main()
