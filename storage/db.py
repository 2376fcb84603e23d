"""Engine, sessions and migrations: SQLite (WAL, foreign keys) or PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT = 10  # seconds to open a PostgreSQL connection
MIGRATION_LOCK = 0x4C5A_4D49  # "LZMI": PostgreSQL advisory lock held while migrating


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; for SQLite the file's folder is created and WAL + foreign keys are set."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # a database that does not answer fails a connection after 10 s, not asyncpg's 60: a webhook
    # request answers 503 while Telegram still waits, and Telegram retries
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, connect_args={"timeout": CONNECT_TIMEOUT}
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded rows usable after commit (no lazy loads in async code)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, autoflush=False)


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at our migrations; the URL is only used by the CLI path."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def migrate(engine: AsyncEngine, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database of `engine` to `revision` on its own connection."""

    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        if down:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # several workers starting at once: one migrates, the others wait here, then find
            # the schema at head and do nothing (the lock ends with this transaction)
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(run)


async def schema_revisions(engine: AsyncEngine) -> tuple[str | None, str]:
    """(the database's Alembic revision, the newest this code knows): equal when up to date."""

    def current(connection: Connection) -> str | None:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if found is None else str(found[0])

    async with engine.connect() as conn:
        revision = await conn.run_sync(current)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return revision, str(head)


def create_engine_for_migrations(url: str) -> AsyncEngine:
    """A pool-less engine for the Alembic CLI (alembic -c … upgrade head)."""
    return create_async_engine(url, poolclass=NullPool)


def normalise_database_url(value: str) -> str:
    """Give a bare postgresql:// or sqlite:// URL its async driver; reject anything else."""
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + value.split("://", 1)[1]
    if value.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + value.split("://", 1)[1]
    if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return value
    raise ValueError("应为 postgresql://… 或 sqlite:///…")


def sqlite_url(data_dir: Path) -> str:
    """The default database: one SQLite file under DATA_DIR."""
    return f"sqlite+aiosqlite:///{(data_dir / 'bot.sqlite3').as_posix()}"


def url_from_environment() -> str:
    """DATABASE_URL, else the SQLite file under DATA_DIR (default ./data): what `alembic` uses alone."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return sqlite_url(Path(os.environ.get("DATA_DIR") or "data"))
