"""`python -m bot serve`: one webhook worker; several share one PostgreSQL (README: Deploying with webhooks).

Start-up: the database must already be at this code's newest schema (`python -m bot migrate`
runs the migrations once, under a lock); a worker meeting another schema refuses to serve
with one log line. Then setWebhook (the same URL, secret and update types from every worker),
and the worker answers Telegram's POSTs. Whichever worker holds the scheduler lock also runs
the cron table and the outbox sender; the others stand by and take over within a minute.

SIGTERM/SIGINT: the worker stops listening, answers 503 to what still arrives, gives running
updates SHUTDOWN_GRACE seconds, then cancels the rest (rolled back, never answered: Telegram
delivers them again, to another worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlsplit

from aiohttp import web

from bot.app import (
    WEBHOOK,
    App,
    build_leader,
    build_lock,
    build_worker_app,
    close,
    load_matcher,
    web_deps,
)
from bot.web.app import build_web_app
from handlers.menu import set_default_commands
from storage.db import schema_revisions

logger = logging.getLogger(__name__)
SCHEMA_MISMATCH = 3  # the exit code of a worker that refused an older (or newer) schema


async def run_serving(app: App) -> int:
    """Serve the webhook until SIGTERM/SIGINT; the exit code (0, or SCHEMA_MISMATCH)."""
    url, secret = app.settings.webhook()
    try:
        found, head = await schema_revisions(app.engine)
        if found != head:
            logger.error(
                "database schema is at %s but this code needs %s: run `python -m bot migrate` "
                "first; not serving",
                found or "nothing (empty database)",
                head,
            )
            return SCHEMA_MISMATCH
        await load_matcher(app)
        me = await app.bot.get_me()
        allowed = app.dispatcher.resolve_used_update_types()
        await app.bot.set_webhook(
            url, secret_token=secret, drop_pending_updates=False, allowed_updates=allowed
        )
        await set_default_commands(app.bot)
        logger.info("webhook of @%s set to %s", me.username, url)
        await _serve(app, secret=secret, path=urlsplit(url).path or "/")
    finally:
        await close(app)
    logger.info("stopped")
    return 0


async def _serve(app: App, *, secret: str, path: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    leader = build_leader(app, build_lock(app), webhook=True)
    base = app.settings.web_path  # the web view's pages beside the webhook (README: 网页查看)
    pages = [(base + "/", build_web_app(web_deps(app)))] if base else []
    if not base:
        logger.warning("WEB_URL names the site's root: the web view is not served by `serve`")
    web_app = build_worker_app(app, secret=secret, path=path, leader=leader, mounts=pages)
    grace = app.settings.shutdown_grace
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=grace)
    await runner.setup()
    host, port = app.settings.listen
    await web.TCPSite(runner, host, port).start()
    logger.info("serving the webhook on %s:%s%s", host, port, path)
    leading = asyncio.create_task(leader.run(stop), name="leader")
    try:
        await stop.wait()
        logger.info("stopping: no new updates; running ones get up to %ss", grace)
    finally:
        stop.set()
        web_app[WEBHOOK].stopping = True
        await runner.cleanup()  # stops listening, waits for running requests (grace), cancels
        with contextlib.suppress(Exception):
            await leading  # the sender's in-flight sends finish and are marked
