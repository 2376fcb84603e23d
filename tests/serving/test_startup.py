"""A worker's start: migrations once under PostgreSQL's advisory lock; an older schema refused."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.localchat.fake_api import FakeBotAPI
from bot.serving import SCHEMA_MISMATCH, run_serving
from storage.db import create_engine, migrate, schema_revisions
from tests.conftest import TOKEN
from tests.handlers.conftest import _settings
from tests.serving.test_webhook import SECRET


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


async def test_a_worker_refuses_an_older_schema_with_one_log_line(
    db_url: str, server: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(db_url)
    try:
        await migrate(engine, "-1", down=True)
    finally:
        await engine.dispose()
    settings = _settings(db_url).model_copy(
        update={
            "bot_api_url": server.base_url,
            "bot_token": SecretStr(TOKEN),
            "webhook_url": "https://bot.example.org/tg",
            "webhook_secret": SecretStr(SECRET),
        }
    )
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert await run_serving(build_app(settings)) == SCHEMA_MISMATCH
    lines = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.ERROR
    assert "python -m bot migrate" in lines[0].getMessage()
    assert server.webhook is None, "a refusing worker does not set the webhook"
