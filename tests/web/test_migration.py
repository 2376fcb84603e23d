"""Migration 0012 (web_login, web_session): down and up again on a database at head."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import alembic_config, migrate

TABLES = {"web_login", "web_session"}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))


async def test_web_tables_go_down_and_up_again(engine: AsyncEngine) -> None:
    assert await _tables(engine) >= TABLES
    below = ScriptDirectory.from_config(alembic_config()).get_revision("0012_web_login")
    assert below is not None and isinstance(below.down_revision, str)
    await migrate(engine, below.down_revision, down=True)
    assert not TABLES & await _tables(engine)
    await migrate(engine)
    assert await _tables(engine) >= TABLES
