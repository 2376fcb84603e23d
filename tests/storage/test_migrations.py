"""Migrations: every revision up, down and up again; the models match the migrated schema."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from storage.db import alembic_config, create_engine, migrate
from storage.models import Person, Record, Unit

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def _current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


@pytest.fixture
async def blank_engine(backend: str, request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """An engine on an empty database (no template): the stairway starts from nothing."""
    if backend == "sqlite":
        eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'blank.sqlite3'}")
        yield eng
        await eng.dispose()
        return
    url: str = request.getfixturevalue("db_url")
    eng = create_engine(url)
    await migrate(eng, "base", down=True)
    yield eng
    await eng.dispose()


async def test_every_revision_goes_up_down_and_up_again(blank_engine: AsyncEngine) -> None:
    revisions = _revisions()
    assert revisions, "no migrations found"
    previous = "base"
    for revision in revisions:
        await migrate(blank_engine, revision)
        assert await _current(blank_engine) == revision
        await migrate(blank_engine, previous, down=True)
        assert await _current(blank_engine) == (None if previous == "base" else previous)
        await migrate(blank_engine, revision)
        previous = revision
    assert await _current(blank_engine) == revisions[-1]


async def test_models_match_the_migrated_schema(engine: AsyncEngine) -> None:
    def diff(conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], f"models and migrations differ; add a migration: {changes}"


async def test_records_refuse_update_and_delete(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        unit_id = (
            await conn.execute(
                sa.insert(Unit.__table__).values(  # type: ignore[attr-defined]
                    code="U01", name="城关镇", active=True, created_at=NOW, updated_at=NOW
                )
            )
        ).inserted_primary_key[0]
        person_id = (
            await conn.execute(
                sa.insert(Person.__table__).values(  # type: ignore[attr-defined]
                    code="P1", name="陈", unit_id=unit_id, position="", active=True,
                    created_at=NOW, updated_at=NOW,
                )
            )
        ).inserted_primary_key[0]
        await conn.execute(
            sa.insert(Record.__table__).values(  # type: ignore[attr-defined]
                author_id=person_id, unit_id=unit_id, text="召开党委会", happened_on=date(2026, 11, 23),
                recorded_at=NOW,
            )
        )
    table = Record.__table__  # type: ignore[attr-defined]
    for statement in (sa.update(table).values(text="改过"), sa.delete(table)):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(statement)
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(table.c.text))).scalar_one() == "召开党委会"
