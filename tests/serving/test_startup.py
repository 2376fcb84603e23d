"""Workers starting together: the migrations run once under PostgreSQL's advisory lock."""

from __future__ import annotations

import asyncio

import pytest

from storage.db import create_engine, migrate, schema_revisions


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_three_workers_migrating_an_empty_database_at_once_migrate_it_once(
    db_url: str,
) -> None:
    engines = [create_engine(db_url) for _ in range(3)]
    try:
        await migrate(engines[0], "base", down=True)
        assert (await schema_revisions(engines[0]))[0] is None
        # without the lock the second CREATE TABLE of the same table fails (or deadlocks)
        await asyncio.gather(*(migrate(engine) for engine in engines))
        found, head = await schema_revisions(engines[1])
        assert found == head
    finally:
        for engine in engines:
            await engine.dispose()
