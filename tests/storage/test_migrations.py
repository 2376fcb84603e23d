"""Migrations: every revision up, down and up again; the models match the migrated schema."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import alembic_config, create_engine, migrate
from storage.models import Record
from tests.factories import NOW, make_person, make_unit


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


async def test_records_refuse_update_and_delete(session: AsyncSession) -> None:
    unit = await make_unit(session)
    person = await make_person(session, unit)
    assert person.id is not None
    assert unit.id is not None
    session.add(
        Record(
            author_id=person.id,
            unit_id=unit.id,
            text="召开党委会专题研究党风廉政建设",
            happened_on=date(2026, 11, 23),
            recorded_at=NOW,
        )
    )
    await session.commit()
    for statement in (sa.update(Record).values(text="改过"), sa.delete(Record)):
        with pytest.raises(DBAPIError, match="append-only"):
            await session.exec(statement)
        await session.rollback()
    texts = (await session.exec(select(Record.text))).all()
    assert texts == ["召开党委会专题研究党风廉政建设"]
