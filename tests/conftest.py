"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL where it runs)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.localchat.fake_api import FakeBotAPI
from storage.db import create_engine, migrate, session_factory

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
PROJECT = Path(__file__).resolve().parent.parent
DISTRICT = PROJECT / "examples" / "district"
BACKENDS = ["sqlite", "postgres"]
TOKEN = "987654321:" + "E" * 35  # the token `python -m bot` subprocesses use against `server`


def _asyncpg_dsn(database: str | None = None) -> str:
    base = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    return base.rsplit("/", 1)[0] + "/" + database if database else base


def _sa_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _pg_execute(sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _blocking(coro: Coroutine[Any, Any, None]) -> None:
    """Run set-up work to completion from sync fixtures, even inside a running test loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _migrate_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database; each test gets a fresh copy of it."""
    name = f"lvze_tpl_{uuid.uuid4().hex[:10]}"
    try:
        _blocking(_pg_execute(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = (
            f"PostgreSQL 不可用（{PG_URL}: {exc}）。启动 PostgreSQL 或设置 TEST_POSTGRES_URL 后重跑；"
            "CI 设置 REQUIRE_POSTGRES=1 时此项为失败。"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    _blocking(_migrate_url(_sa_url(_asyncpg_dsn(name))))
    yield name
    _blocking(_pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test copies it."""
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    _blocking(_migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on; every database test runs on both."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database for this test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "bot.sqlite3"
        shutil.copyfile(template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"lvze_t_{uuid.uuid4().hex[:12]}"
    _blocking(_pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield _sa_url(_asyncpg_dsn(name))
    _blocking(_pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database, disposed afterwards."""
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory the app would build."""
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session for service-level tests."""
    async with sessions() as s:
        yield s


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    """A fake Bot API over real HTTP for `python -m bot …` subprocesses (token TOKEN)."""
    fake = FakeBotAPI(username="lvze_e2e_bot", token=TOKEN)
    await fake.start()
    yield fake
    await fake.stop()
