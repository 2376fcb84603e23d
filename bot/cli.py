"""The CLI commands behind `python -m bot`: run, serve, import, invite, unbind, chat, migrate."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot import texts
from bot.app import build_app as _build_app
from bot.app import build_bot, run_polling
from bot.clock import SystemClock
from bot.config import Settings
from bot.services.directory.binding import unbind_person
from bot.services.directory.identity import invite_unbound, issue_invites
from bot.services.errors import ImportRejected, UnknownPerson
from bot.services.exports.sheets import tsv_lines
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.serving import run_serving
from bot.texts import binding as binding_texts
from bot.texts import importing as import_texts
from storage.db import create_engine, migrate, session_factory

logger = logging.getLogger(__name__)


async def run(settings: Settings) -> int:
    """Long polling until SIGTERM/SIGINT."""
    settings.token()  # a missing token stops here, before anything is touched
    await run_polling(_build_app(settings))
    return 0


async def serve(settings: Settings) -> int:
    """Webhook worker until SIGTERM/SIGINT; refuses (exit 3) a database not at this code's schema."""
    settings.token()
    settings.webhook()  # a missing WEBHOOK_URL or WEBHOOK_SECRET stops here, with one line
    return await run_serving(_build_app(settings))


async def migrate_only(settings: Settings) -> int:
    """Bring the database to the newest schema."""
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    _err("数据库已是最新结构。")
    return 0


async def import_path(settings: Settings, path: Path) -> int:
    """Validate every row of a directory of CSVs or an XLSX, then write all of it or nothing."""
    if not path.exists():
        _err(f"错误：找不到 {path}（应为含 units.csv、people.csv、items.csv 的目录或 .xlsx 文件）")
        return 1
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        tables = read_directory(path)

        async def progress(stage: str, done: int, total: int) -> None:
            _err(import_texts.render_progress(stage, done, total))

        async with session_factory(engine)() as session:
            summary = await import_directory(
                session,
                tables=tables,
                now=SystemClock().now(),
                zone=settings.zone,
                progress=progress,
            )
    except ImportRejected as exc:
        _err(texts.plain(import_texts.render_problems(exc.problems, limit=200)))
        return 1
    finally:
        await engine.dispose()
    print(texts.plain(import_texts.render_summary(summary)))
    return 0


async def invite(settings: Settings, codes: list[str], *, everyone: bool) -> int:
    """Print one line per person: code, name, unit, invite code, deep link, 重新绑定 (tab-separated).

    `--all` covers the active people not yet bound; named people who are bound get re-bind codes.
    """
    if bool(codes) == everyone:
        _err(binding_texts.CLI_INVITE_USAGE)
        return 2
    username = settings.bot_username or await _bot_username(settings)
    if username is None:
        return 1
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            now = SystemClock().now()
            if everyone:
                batch = await invite_unbound(session, now=now)
                issued, skipped = batch.issued, batch.skipped_bound
            else:
                issued = await issue_invites(session, person_codes=codes, now=now)
                skipped = 0
    except UnknownPerson as exc:
        _err(texts.plain(texts.unknown_people(exc.codes)))
        return 1
    finally:
        await engine.dispose()
    for line in tsv_lines(binding_texts.invite_rows(issued, username)):
        print(line)
    _err(binding_texts.cli_invite_summary(issued, settings.zone, skipped_bound=skipped))
    return 0


async def unbind(settings: Settings, person_code: str) -> int:
    """Release a person's Telegram account (audited); exit 2 for an unknown person code."""
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            result = await unbind_person(session, person_code=person_code, now=SystemClock().now())
    except UnknownPerson as exc:
        _err(texts.plain(texts.unknown_people(exc.codes)))
        return 2
    finally:
        await engine.dispose()
    print(texts.plain(binding_texts.unbind_done(result, cli=True)))
    return 0


async def _bot_username(settings: Settings) -> str | None:
    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    except (TelegramNetworkError, TelegramAPIError) as exc:
        _err(
            f"错误：无法从 {settings.bot_api_url} 获取机器人用户名（{exc}）。检查 BOT_TOKEN、网络，或设置 BOT_USERNAME。"
        )
        return None
    finally:
        await bot.session.close()
    return me.username


async def chat(
    settings: Settings, *, data: Path, db: Path, reset: bool, files: Path, today: str | None
) -> int:
    """Local chat mode (`make demo`); `today` starts its clock on another day than the demo's."""
    from bot.localchat.demo_clock import BadDemoDay, parse_today
    from bot.localchat.terminal import run_chat

    try:
        start = parse_today(today, settings.zone) if today else None
    except BadDemoDay as exc:
        _err(f"错误：{exc}")
        return 2
    return await run_chat(settings, data=data, db=db, reset=reset, files=files, start=start)


def _err(line: str) -> None:
    print(line, file=sys.stderr)
