"""A `serve` worker's aiohttp app on a real database: the secret, bad bodies, replays, a dead database, /healthz, /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from aiogram.fsm.storage.base import StorageKey
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select

from bot.app import App, build_leader, build_lock, build_worker_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.localchat.driver import start_local_chat
from bot.localchat.fake_api import FakeBotAPI
from bot.telegram.stateless import StateInMemoryRefused, StatelessStorage
from bot.telegram.webhook import SECRET_HEADER
from storage.db import session_factory
from storage.models import AuditEntry, Person, ProcessedUpdate
from tests.conftest import PG_URL
from tests.handlers.conftest import NOW, _settings
from tests.serving.workers import invites

SECRET = "s3cret-" + "x" * 25
PATH = "/telegram/hook"
_IDS = itertools.count(700_000)
STRANGER = 9_500_001  # nobody bound: "/my" is answered 尚未绑定 after a database lookup
UNBOUND = "尚未绑定"


@dataclass
class Worker:
    """One worker's web app on the production App (fake Bot API, the test's database)."""

    client: TestClient[web.Request, web.Application]
    app: App
    fake: FakeBotAPI


def _update(user: int, text: str, update_id: int | None = None) -> dict[str, object]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "update_id": next(_IDS) if update_id is None else update_id,
        "message": {
            "message_id": next(_IDS),
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "测试"},
            "from": {"id": user, "is_bot": False, "first_name": "测试"},
            "text": text,
            "entities": entities if text.startswith("/") else [],
        },
    }


@pytest.fixture
async def worker(db_url: str) -> AsyncIterator[Worker]:
    """The worker's web app (webhook, /healthz, /metrics) on a production app."""
    async with _worker(_settings(db_url)) as w:
        yield w


@contextlib.asynccontextmanager
async def _worker(
    settings: Settings, mounts: tuple[tuple[str, web.Application], ...] = ()
) -> AsyncIterator[Worker]:
    app, fake, chat = await start_local_chat(settings, clock=ManualClock(NOW))
    lock = build_lock(app)
    web_app = build_worker_app(
        app, secret=SECRET, path=PATH, leader=build_leader(app, lock), mounts=mounts
    )
    client = TestClient(TestServer(web_app))
    await client.start_server()
    try:
        yield Worker(client, app, fake)
    finally:
        await client.close()
        await lock.release()
        await chat.stop()


async def _post(w: Worker, body: object, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await w.client.post(PATH, data=data, headers=headers)
    return response.status


async def _claims(w: Worker) -> int:
    async with w.app.sessions() as session:
        return (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()


async def test_no_secret_is_401_a_body_that_is_no_update_is_400_and_neither_is_handled(
    worker: Worker,
) -> None:
    w = worker
    mark, claims = w.fake.mark(), await _claims(w)
    assert await _post(w, _update(STRANGER, "/my"), secret=None) == 401
    assert await _post(w, _update(STRANGER, "/my"), secret="wrong-" + "x" * 20) == 401
    assert await _post(w, _update(STRANGER, "/my"), secret=SECRET[:-1]) == 401
    assert await _post(w, b"{not json") == 400
    assert await _post(w, b"\xff\xfe") == 400
    assert await _post(w, [1, 2]) == 400
    assert await _post(w, {"message": {"text": "no update_id"}}) == 400
    assert w.fake.sent_since(mark) == []
    assert await _claims(w) == claims


async def test_numbers_no_bigint_holds_and_json_nested_too_deep_are_400_not_500(
    worker: Worker,
) -> None:
    w = worker
    mark, claims = w.fake.mark(), await _claims(w)
    huge_user = _update(STRANGER, "/my")
    huge_user["message"]["from"]["id"] = 2**64  # type: ignore[index]
    for body in (
        {"update_id": 99999999999999999999999},
        {"update_id": 2**63},
        {"update_id": -1},
        {"update_id": 1e30},  # a float pydantic would take for an int
        huge_user,
        b"[" * 1_000_000,  # RecursionError in the JSON parser
    ):
        assert await _post(w, body) == 400, str(body)[:60]
    assert await _post(w, _update(STRANGER, "/my", update_id=2**63 - 1)) == 200
    assert any(UNBOUND in s.plain for s in w.fake.sent_since(mark))
    assert await _claims(w) == claims + 1


async def test_a_replayed_update_is_answered_200_and_handled_once(
    worker: Worker,
) -> None:
    w = worker
    mark = w.fake.mark()
    update = _update(STRANGER, "/my")
    assert await _post(w, update) == 200
    assert await _post(w, update) == 200  # Telegram's retry of a handled update
    assert await _post(w, update) == 200
    replies = [s for s in w.fake.sent_since(mark) if s.chat_id == STRANGER]
    assert len(replies) >= 1
    assert sum(UNBOUND in s.plain for s in replies) == 1
    async with w.app.sessions() as session:
        found = await session.exec(
            select(func.count()).where(ProcessedUpdate.update_id == update["update_id"])
        )
        assert found.one() == 1


async def test_metrics_count_a_replayed_update_as_duplicate_not_handled(
    worker: Worker,
) -> None:
    w = worker
    update = _update(STRANGER, "/my")
    assert await _post(w, update) == 200
    assert await _post(w, update) == 200  # Telegram's retry: dropped by the claim
    text = await (await w.client.get("/metrics")).text()
    assert 'lvze_updates_total{outcome="handled",type="message"} 1.0' in text
    assert 'lvze_updates_total{outcome="duplicate",type="message"} 1.0' in text


async def test_a_dead_database_answers_503_at_once_tells_nobody_and_healthz_says_so(
    worker: Worker, backend: str
) -> None:
    w = worker
    dead_url = (
        "postgresql+asyncpg://nobody@127.0.0.1:9/none"
        if backend == "postgres"
        else "sqlite+aiosqlite:////nonexistent-dir/none/bot.sqlite3"
    )
    dead = create_async_engine(dead_url)  # refused connections / a file that cannot be opened
    live = w.app.dispatcher["sessions"]
    w.app.dispatcher["sessions"] = session_factory(dead)
    w.app.sessions = w.app.dispatcher["sessions"]
    try:
        mark = w.fake.mark()
        started = time.monotonic()
        assert await _post(w, _update(STRANGER, "/my")) == 503
        assert time.monotonic() - started < 5
        assert w.fake.sent_since(mark) == [], "no 出错了: Telegram's retry answers"
        response = await w.client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"].startswith("unreachable")
    finally:
        w.app.dispatcher["sessions"] = live
        w.app.sessions = live
        await dead.dispose()
    update = _update(STRANGER, "/my")
    assert await _post(w, update) == 200  # the database is back: the retry is handled
    assert any(UNBOUND in s.plain for s in w.fake.sent_since(mark))


async def test_healthz_names_the_scheduler_holder_and_the_outbox_backlog(
    worker: Worker,
) -> None:
    w = worker
    response = await w.client.get("/healthz")
    body = await response.json()
    assert response.status == 503, "nobody runs the scheduler yet"
    assert body["database"] == "ok"
    assert body["scheduler"] is None
    lock = build_lock(w.app)
    assert await lock.try_acquire()
    try:
        response = await w.client.get("/healthz")
        body = await response.json()
        assert response.status == 200, body
        assert body["status"] == "ok"
        assert body["scheduler"] == lock.name
        assert set(body["outbox"]) == {"waiting", "due", "oldest_due_seconds"}
    finally:
        await lock.release()


async def test_metrics_count_updates_by_type_latency_outbox_sends_and_steps(
    worker: Worker,
) -> None:
    w = worker
    assert await _post(w, _update(STRANGER, "/my")) == 200
    assert await _post(w, _update(STRANGER + 1, "/help")) == 200
    assert await _post(w, b"{", secret=SECRET) == 400
    assert await _post(w, {}, secret=None) == 401
    response = await w.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert 'lvze_updates_total{outcome="handled",type="message"} 2.0' in text
    assert 'lvze_update_seconds_bucket{le="+Inf",type="message"} 2.0' in text
    assert 'lvze_webhook_rejected_total{reason="json"} 1.0' in text
    assert 'lvze_webhook_rejected_total{reason="secret"} 1.0' in text
    assert "lvze_outbox_waiting " in text
    assert "lvze_outbox_oldest_due_seconds " in text
    sends = next(line for line in text.splitlines() if line.startswith("lvze_telegram_sends_total"))
    assert float(sends.split()[1]) >= 2
    assert "lvze_telegram_429_total 0.0" in text
    assert "lvze_reminder_steps_total 0.0" in text
    assert "lvze_scheduler_leader 0.0" in text


async def test_fsm_state_cannot_be_kept_in_a_workers_memory() -> None:
    storage = StatelessStorage()
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)
    assert await storage.get_state(key) is None
    await storage.set_state(key, None)  # clearing is fine
    with pytest.raises(StateInMemoryRefused):
        await storage.set_state(key, "Form:name")
    with pytest.raises(StateInMemoryRefused):
        await storage.set_data(key, {"draft": "x"})


async def test_redis_down_is_one_log_line_and_chat_goes_on(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(db_url).model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with _worker(settings) as w:
        caplog.clear()
        for n in range(3):
            assert await _post(w, _update(STRANGER + n, "/my")) == 200
        assert w.app.budget is not None and not w.app.budget.available
    for n in range(3):
        assert [s.plain for s in w.fake.sent if s.chat_id == STRANGER + n] != []
    down = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
    assert len(down) == 1, down
    assert "127.0.0.1:1" in down[0] and "alone" in down[0]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_other_pages_mount_on_the_workers_app(db_url: str) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="看板")

    pages = web.Application()
    pages.router.add_get("/board", page)
    async with _worker(_settings(db_url), mounts=(("/web", pages),)) as w:
        response = await w.client.get("/web/board")
        assert response.status == 200
        assert await response.text() == "看板"
        assert (await w.client.get("/healthz")).status in (200, 503)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_database_connections_cut_mid_load_answer_5xx_and_the_retries_apply_each_once(
    db_url: str,
) -> None:
    codes = await invites(db_url)
    users = {code: 9_600_000 + n for n, code in enumerate(sorted(codes)[:20])}
    updates = {code: _update(user, f"/start {codes[code]}") for code, user in users.items()}
    async with _worker(_settings(db_url)) as w:
        name = w.app.engine.url.database
        cutting = True

        async def cut() -> None:  # as a PostgreSQL restart: every session of the database ends
            killer = await asyncpg.connect(PG_URL.replace("+asyncpg", ""))
            try:
                while cutting:
                    await killer.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()",
                        name,
                    )
                    await asyncio.sleep(0.1)
            finally:
                await killer.close()

        cutter = asyncio.create_task(cut())
        statuses = await asyncio.gather(*(_post(w, u) for u in updates.values()))
        cutting = False
        await cutter
        assert set(statuses) <= {200, 500, 503}, statuses
        pending = [code for code, status in zip(updates, statuses, strict=True) if status != 200]
        for _ in range(5):  # Telegram retries what was not answered 200
            again = [await _post(w, updates[code]) for code in pending]
            pending = [code for code, status in zip(pending, again, strict=True) if status != 200]
        assert pending == []
        async with w.app.sessions() as session:
            bound = dict((await session.exec(select(Person.code, Person.telegram_id))).all())
            audit = select(AuditEntry.detail).where(AuditEntry.action == "bind")
            binds = Counter((await session.exec(audit)).all())
    for code, user in users.items():
        assert bound[code] == user
    assert len(binds) == 20 and set(binds.values()) == {1}, binds
