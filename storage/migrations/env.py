"""Alembic environment: runs on the app's connection, or on DATABASE_URL (or DATA_DIR's SQLite file) from the CLI."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import create_engine_for_migrations, url_from_environment

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_engine_for_migrations(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


shared = config.attributes.get("connection")
if shared is not None:
    _run(shared)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        url = url_from_environment()
    asyncio.run(_run_from_url(url))
