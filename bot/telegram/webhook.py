"""Telegram's webhook on aiohttp: each update handled before it is answered; /healthz and /metrics beside it.

An update is answered only when its handling has ended, so a worker killed mid-update never
answers and Telegram delivers it again (to this worker or another); the update's claim commits
with its effect (handlers.middlewares), so a redelivery of a handled update is dropped and
answered 200. The answers Telegram sees:

- 401 without the secret token header or with a wrong one: nothing is read or handled;
- 400 for a body that is not an Update (or holds a number no BIGINT column can store);
- 200 when handled (or dropped as handled before; or refused for a domain reason, answered);
- 503 when the database or the network failed (nothing committed; no "出错了" sent: Telegram
  delivers it again and the retry answers), and 500 for any other failure (logged; the user
  was told 出错了) — Telegram retries both.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import ClientError, web
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.services.outbox import Backlog
from bot.telegram.metrics import CONTENT_TYPE, Metrics

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PROBE_TIMEOUT = 3.0  # seconds /healthz and /metrics wait for the database
OUTBOX_LATE = 900.0  # /healthz is 503 when the oldest due outbox row has waited this long
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what a BIGINT column (and SQLite's INTEGER) holds
_TRANSIENT = (OperationalError, InterfaceError, PoolTimeout, OSError, TimeoutError, ClientError)
_failures: ContextVar[list[BaseException] | None] = ContextVar("webhook_failures", default=None)
_dropped: ContextVar[list[bool] | None] = ContextVar("webhook_dropped", default=None)


def retried_later(error: BaseException) -> bool:
    """For the error router: inside a webhook request, note the failure (the request answers 5xx,
    so Telegram delivers the update again) and say whether to stay silent now — True for a
    database or network failure, whose retry will answer the user."""
    failures = _failures.get()
    if failures is None:
        return False
    failures.append(error)
    return transient(error)


def dropped_as_duplicate() -> None:
    """For the claim middleware: inside a webhook request, note that the update was handled
    before (a redelivery, or another worker's delivery of it) and dropped, so /metrics counts it
    as outcome "duplicate", not "handled"."""
    dropped = _dropped.get()
    if dropped is not None:
        dropped.append(True)


def transient(error: BaseException) -> bool:
    """A failure of the database or the network, not of the code: worth a retry."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _TRANSIENT)


@dataclass(frozen=True)
class Probes:
    """What /healthz and /metrics ask: the outbox's backlog, the scheduler lock's holder, this worker's role."""

    backlog: Callable[[], Awaitable[Backlog]]
    holder: Callable[[], Awaitable[str | None]]
    leading: Callable[[], bool]


class Webhook:
    """The three routes of a `serve` worker; `stopping` makes new updates answer 503."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, *, secret: str, metrics: Metrics, probes: Probes
    ) -> None:
        self.dispatcher, self.bot = dispatcher, bot
        self._secret = secret.encode()
        self.metrics, self.probes = metrics, probes
        self.stopping = False

    async def updates(self, request: web.Request) -> web.Response:
        """POST from Telegram: check the secret, read the Update, handle it, then answer."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.metrics.rejected.labels("secret").inc()
            logger.warning("webhook request from %s without the secret token", request.remote)
            return web.Response(status=401, text="unauthorized")
        if self.stopping:
            self.metrics.rejected.labels("stopping").inc()
            return web.Response(status=503, text="stopping", headers={"Retry-After": "1"})
        try:
            update = Update.model_validate(
                _read_json(await request.read()), context={"bot": self.bot}
            )
            if not 0 <= update.update_id <= INT64_MAX:
                raise ValueError("update_id out of range")
        except (ValueError, ValidationError, RecursionError):
            # bad JSON (or nested too deep to parse), a number no BIGINT column holds (asyncpg
            # and SQLite would refuse it at the claim: a 500 Telegram retries forever), or JSON
            # that is not an Update
            self.metrics.rejected.labels("json").inc()
            return web.Response(status=400, text="not an Update")
        return await self._handle(update)

    async def _handle(self, update: Update) -> web.Response:
        started = time.perf_counter()
        kind = _kind(update)
        failures: list[BaseException] = []
        dropped: list[bool] = []
        token, dropped_token = _failures.set(failures), _dropped.set(dropped)
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as exc:  # the error router itself failed (e.g. telling the user)
            logger.exception("update %s failed", update.update_id)
            failures.append(exc)
        finally:
            _dropped.reset(dropped_token)
            _failures.reset(token)
        outcome = "failed" if failures else "duplicate" if dropped else "handled"
        self.metrics.handled(kind, outcome, time.perf_counter() - started)
        if not failures:
            return web.Response(status=200)
        status = 503 if all(transient(f) for f in failures) else 500
        logger.warning(
            "update %s answered %s (%s): Telegram delivers it again",
            update.update_id,
            status,
            type(failures[0]).__name__,
        )
        return web.Response(status=status, text="failed; retry")

    async def healthz(self, request: web.Request) -> web.Response:
        """200 or 503 with JSON: the database answers, the scheduler lock has a holder, the
        outbox's oldest due row is not late."""
        body: dict[str, Any] = {"leading": self.probes.leading()}
        healthy = True
        try:
            backlog = await asyncio.wait_for(self.probes.backlog(), PROBE_TIMEOUT)
            holder = await asyncio.wait_for(self.probes.holder(), PROBE_TIMEOUT)
        except Exception as exc:
            body["database"] = f"unreachable: {type(exc).__name__}"
            return web.json_response({"status": "fail", **body}, status=503)
        body["database"] = "ok"
        body["scheduler"] = holder
        body["outbox"] = {
            "waiting": backlog.waiting,
            "due": backlog.due,
            "oldest_due_seconds": round(backlog.oldest_due_seconds, 1),
        }
        if holder is None or backlog.oldest_due_seconds > OUTBOX_LATE:
            healthy = False
        status = "ok" if healthy else "fail"
        return web.json_response({"status": status, **body}, status=200 if healthy else 503)

    async def metrics_page(self, request: web.Request) -> web.Response:
        """Prometheus text exposition of this worker (outbox gauges read now from the database)."""
        try:
            backlog: Backlog | None = await asyncio.wait_for(self.probes.backlog(), PROBE_TIMEOUT)
        except Exception:
            backlog = None
        body = self.metrics.render(backlog, leading=self.probes.leading())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _read_json(body: bytes) -> Any:
    """The request's JSON; ValueError for a number outside a signed 64-bit integer (Telegram's
    ids all fit; a float that large could be taken for an int by pydantic)."""
    return json.loads(body, parse_int=_int64, parse_float=_float64)


def _int64(text: str) -> int:
    number = int(text)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"integer out of range: {text[:30]}")
    return number


def _float64(text: str) -> float:
    number = float(text)
    if not abs(number) < 2.0**63:  # also inf and nan
        raise ValueError(f"number out of range: {text[:30]}")
    return number


def _kind(update: Update) -> str:
    try:
        return update.event_type
    except Exception:  # a type this aiogram does not know
        return "unknown"


def web_application(webhook: Webhook, *, path: str) -> web.Application:
    """The worker's aiohttp Application: POST `path` (the webhook), GET /healthz, GET /metrics.

    More routes (the web view) are mounted on it with add_subapp by the composition root."""
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post(path, webhook.updates)
    app.router.add_get("/healthz", webhook.healthz)
    app.router.add_get("/metrics", webhook.metrics_page)
    return app
