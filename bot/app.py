"""Composition root: the one place that builds the engine, Bot, pacer, notifier, sender, scheduler, Dispatcher, web app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import handlers
from bot.clock import Clock, StartedClock, SystemClock
from bot.config import Settings, parse_clock_time, parse_scores
from bot.services.calendar.window import SendingWindow
from bot.services.outbox import Backlog, backlog
from bot.services.oversight.ranking import RankingRules
from bot.services.records.matcher import Matcher
from bot.services.records.writing import known_items
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.refresh import Rewording
from bot.telegram.budget import SharedBudget
from bot.telegram.building import Builds
from bot.telegram.metrics import Metrics
from bot.telegram.notifier import Notifier
from bot.telegram.pacer import Pacer
from bot.telegram.poller import Poller
from bot.telegram.sender import OutboxSender
from bot.telegram.session import PinnedSession
from bot.telegram.stateless import StatelessStorage
from bot.telegram.webhook import Probes, Webhook, web_application
from bot.texts import reminders as reminder_texts
from bot.web.context import WebDeps
from bot.web.evidence import BotFiles
from handlers.menu import set_default_commands
from scheduler.jobs import JobContext
from scheduler.leader import POLLING_STANDBY, Leader
from scheduler.lock import SchedulerLock, sqlite_file
from storage.db import create_engine, migrate, session_factory
from storage.worker import Worker

logger = logging.getLogger(__name__)
SWITCH_INTERVAL = 0.0005  # seconds
WEBHOOK = web.AppKey("webhook", Webhook)  # the web app's webhook (serve sets `stopping`)


@dataclass
class App:
    """Everything a running bot is made of; `python -m bot`, the chat mode and the tests build it here."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    notifier: Notifier
    dispatcher: Dispatcher
    jobs: JobContext
    sender: OutboxSender
    matcher: Matcher
    budget: SharedBudget | None = None  # REDIS_URL: the pacer's rate shared by every worker


def build_bot(settings: Settings, token: str | None = None) -> Bot:
    """A Bot speaking HTML to BOT_API_URL (Telegram's, or any self-hosted Bot API server)."""
    session = PinnedSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    return Bot(
        token=token or settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def ladder_rules(settings: Settings) -> LadderRules:
    """The reminder ladder and sending window the settings describe (README: 提醒)."""
    quiet_from, quiet_until = settings.quiet
    return LadderRules(
        before=tuple(int(p) for p in settings.reminder_days_before.split(",")),
        overdue_holder=settings.reminder_overdue_after,
        escalate_secretary=settings.escalate_secretary_after,
        escalate_admin=settings.escalate_admin_after,
        escalation_grace=settings.escalation_grace,
        send_at=parse_clock_time(settings.reminder_time),
        quiet_from=quiet_from,
        quiet_until=quiet_until,
        selfcheck_prompt_before=settings.selfcheck_prompt_before,
    )


def ranking_rules(settings: Settings) -> RankingRules:
    """The 3+1 ranking's weights and assessment scores the settings describe (README: 排名（3+1）)."""
    return RankingRules(
        completion=settings.ranking_weight_completion,
        timeliness=settings.ranking_weight_timeliness,
        assessment=settings.ranking_weight_assessment,
        scores=parse_scores(settings.assessment_scores),
    )


def build_app(settings: Settings, *, clock: Clock | None = None, chat_limits: bool = True) -> App:
    """Wire every part; nothing is started and nothing touches the network yet.

    chat_limits=False: the Bot API server has no per-chat flood limits (the local chat mode's
    fake), so the pacer keeps only SEND_RATE; Telegram's limits apply everywhere else.
    """
    if clock is None:
        start = settings.bot_now
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=settings.zone)
        clock = StartedClock(start) if start is not None else SystemClock()
    engine = create_engine(settings.db_url)
    sessions = session_factory(engine)
    # The heavy views' worker thread holds the GIL at most this long when the bot's loop wants
    # it (CPython's default 5 ms makes a /help wait ~5 ms at each of its many thread hand-offs).
    sys.setswitchinterval(SWITCH_INTERVAL)
    bot = build_bot(settings)
    budget = (
        SharedBudget(settings.redis_url, bot_id=str(bot.id), rate=settings.send_rate)
        if settings.redis_url
        else None
    )
    # one pacer for replies and the outbox; with REDIS_URL, SEND_RATE holds for all workers together
    pacer = Pacer(rate=settings.send_rate, per_chat=chat_limits, budget=budget)
    notifier = Notifier(bot, pacer=pacer, max_wait=settings.send_max_wait)
    matcher = Matcher()  # rebuilt by prepare() with the words of the items in the database
    dispatcher = Dispatcher(
        storage=StatelessStorage(),  # no conversation state in memory: workers share nothing
        sessions=sessions,
        clock=clock,
        notifier=notifier,
        zone=settings.zone,
        matcher=matcher,
        ranking=ranking_rules(settings),
        rules=ladder_rules(settings),
    )
    dispatcher["window"] = SendingWindow(dispatcher["rules"], settings.zone)
    dispatcher["web_url"] = settings.web_url
    dispatcher["builds"] = Builds(notifier, Worker(settings.db_url, sessions))
    handlers.setup(dispatcher)
    jobs = JobContext(
        sessions=sessions,
        notifier=notifier,
        zone=settings.zone,
        rules=dispatcher["rules"],
        worker=dispatcher["builds"].worker,
    )
    sender = OutboxSender(
        sessions,
        notifier,
        clock,
        window=dispatcher["window"],
        rewording=Rewording(
            render=reminder_texts.render, zone=settings.zone, rules=dispatcher["rules"]
        ),
    )
    return App(
        settings, clock, engine, sessions, bot, notifier, dispatcher, jobs, sender, matcher, budget
    )


def web_deps(app: App) -> WebDeps:
    """What the web view needs from a built bot: its database, clock, rules and Bot (evidence
    files); a `serve` worker mounts the pages (bot.web.app.build_web_app) at WEB_URL's path."""
    return WebDeps(
        sessions=app.sessions,
        clock=app.clock,
        zone=app.settings.zone,
        ranking=app.dispatcher["ranking"],
        files=BotFiles(app.bot),
        base=app.settings.web_path,
    )


async def prepare(app: App) -> None:
    """Bring the database to the newest schema and build the matcher from the items' words
    (the cron table's start-up jobs run in the leader)."""
    await migrate(app.engine)
    await load_matcher(app)


async def load_matcher(app: App) -> None:
    """Build the matcher from the words of the items in the database."""
    async with app.sessions() as session:
        known = await known_items(session)
    if known:
        app.matcher = Matcher(known_items=known)
        app.dispatcher["matcher"] = app.matcher


async def close(app: App) -> None:
    """Release the HTTP session, the heavy views' worker and the database pool."""
    await app.bot.session.close()
    await app.dispatcher["builds"].worker.close()
    if app.budget is not None:
        await app.budget.close()
    await app.engine.dispose()


def build_lock(app: App) -> SchedulerLock:
    """The scheduler lock: a PostgreSQL advisory lock, or a lock file beside the SQLite file."""
    return SchedulerLock(app.engine, sqlite_file(app.settings.db_url))


def build_leader(app: App, lock: SchedulerLock, *, webhook: bool = False) -> Leader:
    """Runs the cron table and the outbox sender while `lock` is held; stands by otherwise
    (a polling process without polling, a webhook worker answering chat)."""
    return Leader(
        lock=lock,
        jobs=app.jobs,
        clock=app.clock,
        sender=app.sender.run,
        retry=app.settings.leader_retry,
        standby="this worker answers chat" if webhook else POLLING_STANDBY,
    )


def build_worker_app(
    app: App,
    *,
    secret: str,
    path: str,
    leader: Leader,
    mounts: Sequence[tuple[str, web.Application]] = (),
) -> web.Application:
    """A `serve` worker's aiohttp Application: the webhook at `path`, /healthz, /metrics, and
    each of `mounts` (prefix, sub-application: e.g. read-only web pages) under its prefix."""

    async def outbox() -> Backlog:
        async with app.sessions() as session:
            return await backlog(session, now=app.clock.now())

    metrics = Metrics(pacer=app.notifier.pacer, steps=lambda: app.jobs.taken["steps"])
    probes = Probes(backlog=outbox, holder=leader.lock.holder, leading=leader.leading.is_set)
    webhook = Webhook(app.dispatcher, app.bot, secret=secret, metrics=metrics, probes=probes)
    web_app = web_application(webhook, path=path)
    web_app[WEBHOOK] = webhook
    for prefix, sub in mounts:
        web_app.add_subapp(prefix, sub)
    return web_app


async def _first_of(*events: asyncio.Event) -> asyncio.Event:
    """Wait until one of `events` is set; the first set (in argument order) is returned."""
    waits = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    return next(event for event in events if event.is_set())


async def run_polling(app: App) -> None:
    """`python -m bot run`: long polling with the cron table ticking.

    SIGTERM/SIGINT: no new updates; running handlers get SHUTDOWN_GRACE seconds to finish;
    what is still running then is rolled back, logged, its users told, and handled after the
    restart (its updates were never confirmed to Telegram).
    """
    await prepare(app)
    me = await app.bot.get_me()
    logger.info("running as @%s against %s", me.username, app.settings.bot_api_url)
    await app.bot.delete_webhook(drop_pending_updates=False)
    await set_default_commands(app.bot)
    poller = Poller(app.dispatcher, app.bot, app.notifier, grace=app.settings.shutdown_grace)
    poller.install_signal_handlers()
    # Only one process runs the cron table, the outbox sender and long polling: the holder of
    # the scheduler lock. Telegram answers a second getUpdates on one token with 409 Conflict,
    # so any other `bot run` stands by without polling and takes over within a minute of the
    # leader's death.
    leader = build_leader(app, build_lock(app))
    leading = asyncio.create_task(leader.run(poller.stopping), name="leader")
    try:
        if await _first_of(leader.leading, poller.stopping) is leader.leading:
            logger.info("polling for updates")
            await poller.run()
    finally:
        poller.stopping.set()
        with contextlib.suppress(Exception):
            await leading  # the sender's in-flight sends finish and are marked
        await close(app)
    logger.info("stopped")
