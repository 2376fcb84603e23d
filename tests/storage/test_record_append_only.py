"""履责记实 rows are append-only at the database, whatever the statement: every statement that
could change or remove a row of `record` is refused and leaves the rows as they were, on SQLite
and on PostgreSQL; inserting a new row still works."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Record
from tests.factories import NOW, make_person, make_unit

RECORD: sa.Table = Record.__table__  # type: ignore[attr-defined]
TEXT = "召开党委会专题研究党风廉政建设"
COLUMNS = "id, author_id, unit_id, text, happened_on, recorded_at, origin"


async def _two_records(session: AsyncSession) -> tuple[int, int]:
    """Record #1 and #2 (a correction of #1 with every column filled); the person and unit ids."""
    unit = await make_unit(session)
    person = await make_person(session, unit)
    assert person.id is not None and unit.id is not None
    first = Record(
        author_id=person.id,
        unit_id=unit.id,
        text=TEXT,
        happened_on=date(2026, 11, 23),
        recorded_at=NOW,
        origin="proposal:1",
    )
    session.add(first)
    await session.flush()
    session.add(
        Record(
            author_id=person.id,
            unit_id=unit.id,
            text=TEXT + "（更正）",
            happened_on=date(2026, 11, 23),
            recorded_at=NOW + timedelta(minutes=1),
            corrects_id=first.id,
            voids_id=first.id,
            late_reason="年初班子调整",
            source_chat_id=10_000_000_001,
            source_message_id=42,
            file_id="AgACAgFake",
            file_kind="photo",
            origin="fix:1",
        )
    )
    await session.commit()
    return person.id, unit.id


def _value(column: sa.Column[Any]) -> object:
    """Another value of the column's kind (ids point at rows that exist)."""
    kind_of = column.type
    if isinstance(kind_of, sa.TypeDecorator):
        kind_of = kind_of.impl_instance
    kind = kind_of.python_type
    if issubclass(kind, datetime):
        return NOW + timedelta(days=3)
    if issubclass(kind, date):
        return date(2025, 1, 1)
    if issubclass(kind, int):  # BigInteger too
        return 1
    assert issubclass(kind, str), column
    return "改过"


def _updates() -> list[tuple[str, sa.Executable]]:
    """UPDATE of every column (to another value, and to NULL where allowed), of one row and all."""
    statements: list[tuple[str, sa.Executable]] = []
    for column in RECORD.columns:
        target = sa.update(RECORD).where(RECORD.c.id == 2)
        statements.append((f"UPDATE {column.name}", target.values({column.name: _value(column)})))
        if column.nullable:
            statements.append((f"UPDATE {column.name} NULL", target.values({column.name: None})))
    statements.append(("UPDATE every row", sa.update(RECORD).values(text="改过")))
    statements.append(("UPDATE id = id + 10", sa.update(RECORD).values(id=RECORD.c.id + 10)))
    return statements


def _deletes() -> list[tuple[str, sa.Executable]]:
    return [
        ("DELETE one row", sa.delete(RECORD).where(RECORD.c.id == 2)),
        ("DELETE a referenced row", sa.delete(RECORD).where(RECORD.c.id == 1)),
        ("DELETE every row", sa.delete(RECORD)),
    ]


def _again(person_id: int, unit_id: int, *, record_id: str, origin: str) -> str:
    """The VALUES of a row offered as if new that collides with an existing one (its id, its
    origin, or both): what a REPLACE or an upsert would overwrite."""
    return (
        f"({COLUMNS}) VALUES ({record_id}, {person_id}, {unit_id}, '改过', '2025-01-01', "
        f"'2026-11-26 02:00:00.000000', '{origin}')"
    )


def _sqlite_statements(person_id: int, unit_id: int) -> list[tuple[str, str]]:
    same_id = _again(person_id, unit_id, record_id="2", origin="other:1")
    same_origin = _again(person_id, unit_id, record_id="99", origin="fix:1")
    both = _again(person_id, unit_id, record_id="1", origin="proposal:1")
    return [
        ("INSERT OR REPLACE, a referenced row's id", f"INSERT OR REPLACE INTO record {both}"),
        ("INSERT OR REPLACE, same id", f"INSERT OR REPLACE INTO record {same_id}"),
        ("REPLACE INTO, same id", f"REPLACE INTO record {same_id}"),
        ("INSERT OR REPLACE, same origin", f"INSERT OR REPLACE INTO record {same_origin}"),
        ("REPLACE INTO, same id and origin", f"REPLACE INTO record {both}"),
        (
            "INSERT OR REPLACE … SELECT every row",
            "INSERT OR REPLACE INTO record SELECT * FROM record",
        ),
        (
            "ON CONFLICT(id) DO UPDATE",
            f"INSERT INTO record {same_id} ON CONFLICT(id) DO UPDATE SET text = excluded.text",
        ),
        (
            "ON CONFLICT(origin) DO UPDATE",
            f"INSERT INTO record {same_origin} "
            "ON CONFLICT(origin) DO UPDATE SET text = excluded.text",
        ),
        (
            "ON CONFLICT DO UPDATE (no target)",
            f"INSERT INTO record {both} ON CONFLICT DO UPDATE SET text = excluded.text",
        ),
        ("UPDATE OR REPLACE", "UPDATE OR REPLACE record SET id = 1 WHERE id = 2"),
        ("UPDATE OR IGNORE", "UPDATE OR IGNORE record SET text = '改过'"),
        ("DELETE … RETURNING", "DELETE FROM record WHERE id = 2 RETURNING id"),
    ]


def _postgres_statements(person_id: int, unit_id: int) -> list[tuple[str, str]]:
    same_id = _again(person_id, unit_id, record_id="2", origin="other:1")
    same_origin = _again(person_id, unit_id, record_id="99", origin="fix:1")
    return [
        (
            "ON CONFLICT (id) DO UPDATE",
            f"INSERT INTO record {same_id} ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text",
        ),
        (
            "ON CONFLICT ON CONSTRAINT pk_record DO UPDATE",
            f"INSERT INTO record {same_id} "
            "ON CONFLICT ON CONSTRAINT pk_record DO UPDATE SET text = EXCLUDED.text",
        ),
        (
            "ON CONFLICT (origin) DO UPDATE",
            f"INSERT INTO record {same_origin} "
            "ON CONFLICT (origin) DO UPDATE SET text = EXCLUDED.text",
        ),
        (
            "MERGE … UPDATE",
            "MERGE INTO record r USING (SELECT 1 AS id) s ON r.id = s.id "
            "WHEN MATCHED THEN UPDATE SET text = '改过'",
        ),
        (
            "MERGE … DELETE",
            "MERGE INTO record r USING (SELECT 2 AS id) s ON r.id = s.id WHEN MATCHED THEN DELETE",
        ),
        ("DELETE … RETURNING", "DELETE FROM record WHERE id = 2 RETURNING id"),
        ("TRUNCATE", "TRUNCATE record"),
        ("TRUNCATE … RESTART IDENTITY", "TRUNCATE TABLE record RESTART IDENTITY"),
        ("TRUNCATE … CASCADE", "TRUNCATE record CASCADE"),
        ("TRUNCATE ONLY", "TRUNCATE ONLY record"),
        # tables record points at: CASCADE empties record with them
        ("TRUNCATE person CASCADE", "TRUNCATE person CASCADE"),
        ("TRUNCATE unit CASCADE", "TRUNCATE unit CASCADE"),
        ("TRUNCATE dueitem CASCADE", "TRUNCATE dueitem CASCADE"),
        ("TRUNCATE person, unit, dueitem CASCADE", "TRUNCATE person, unit, dueitem CASCADE"),
    ]


async def _rows(engine: AsyncEngine) -> Sequence[sa.Row[Any]]:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(RECORD).order_by(RECORD.c.id))).all()


async def test_no_statement_changes_or_removes_a_record_row(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    person_id, unit_id = await _two_records(session)
    before = await _rows(engine)
    assert [row.id for row in before] == [1, 2]
    raw = (
        _sqlite_statements(person_id, unit_id)
        if engine.dialect.name == "sqlite"
        else _postgres_statements(person_id, unit_id)
    )
    statements = [*_updates(), *_deletes(), *((name, sa.text(sql)) for name, sql in raw)]
    not_refused: list[str] = []
    otherwise: list[tuple[str, str]] = []  # refused, but not by the append-only rule
    for name, statement in statements:
        # each statement on its own, rolled back if it got through, so one hole hides no other
        async with engine.connect() as conn:
            transaction = await conn.begin()
            try:
                await conn.execute(statement)
            except DBAPIError as exc:
                await transaction.rollback()
                if "append-only" not in str(exc):
                    otherwise.append((name, str(exc.orig)))
            else:
                changed = (await conn.execute(sa.select(RECORD).order_by(RECORD.c.id))).all()
                await transaction.rollback()
                not_refused.append(f"{name}{' (rows changed)' if changed != before else ''}")
        assert await _rows(engine) == before, name
    assert not_refused == [], f"not refused: {not_refused}"
    assert otherwise == [], f"refused by something else: {otherwise}"


async def test_a_new_record_row_is_still_inserted(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    person_id, unit_id = await _two_records(session)
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(RECORD).values(
                author_id=person_id,
                unit_id=unit_id,
                text="新的一条",
                happened_on=date(2026, 11, 24),
                recorded_at=datetime(2026, 11, 24, 2, 0, tzinfo=NOW.tzinfo),
                origin="proposal:3",
            )
        )
        await conn.execute(
            sa.text(
                f"INSERT INTO record ({COLUMNS}) VALUES (10, {person_id}, {unit_id}, '指定编号', "
                "'2026-11-24', '2026-11-24 02:00:00', 'proposal:10')"
            )
        )
    session.add(
        Record(
            author_id=person_id,
            unit_id=unit_id,
            text="再一条",
            happened_on=date(2026, 11, 25),
            recorded_at=NOW,
        )
    )
    await session.commit()
    rows = await _rows(engine)
    assert [row.text for row in rows[:2]] == [TEXT, TEXT + "（更正）"]
    assert sorted(row.text for row in rows[2:]) == sorted(["新的一条", "指定编号", "再一条"])
    assert 10 in {row.id for row in rows}
    # a second row with an origin that exists is refused (as before: the origin is unique)
    with pytest.raises(DBAPIError):
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(RECORD).values(
                    author_id=person_id,
                    unit_id=unit_id,
                    text="重复",
                    happened_on=date(2026, 11, 24),
                    recorded_at=NOW,
                    origin="proposal:3",
                )
            )
    assert len(await _rows(engine)) == 5
