"""Admins (区纪委监委 staff): invite codes, unbinding, and importing the directory from a workbook."""

from __future__ import annotations

import asyncio
from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.binding import unbind_person
from bot.services.directory.identity import Viewer, invite_unbound, issue_invites
from bot.services.importing.apply import import_workbook
from bot.services.importing.assessment import has_assessment_sheet
from bot.services.oversight.duplicates import DEFAULT_THRESHOLD, duplicate_pairs
from bot.services.oversight.ranking import RankingRules
from bot.services.records.matcher import Matcher
from bot.telegram.building import Builds
from bot.telegram.notifier import Notifier
from bot.telegram.progress import Progress
from bot.texts import binding as binding_texts
from bot.texts import duplicates as duplicate_texts
from bot.texts import importing as import_texts
from handlers.filters import private_router
from handlers.ranking import import_assessment
from storage.models import Role

MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download


async def invite(
    message: Message,
    command: CommandObject,
    bot: Bot,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/invite P0101 P0102 (bound people get re-bind codes) | /invite all (the unbound only)."""
    words = (command.args or "").replace("，", " ").replace(",", " ").split()
    if not words:
        await notifier.send(message.chat.id, binding_texts.INVITE_USAGE)
        return
    now = clock.now()
    if [w.lower() for w in words] in (["all"], ["全部"]):
        batch = await invite_unbound(session, now=now, actor_person_id=person.person_id)
        issued, skipped = batch.issued, batch.skipped_bound
    else:
        issued = await issue_invites(
            session, person_codes=words, now=now, actor_person_id=person.person_id
        )
        skipped = 0
    username = (await bot.me()).username or ""
    if len(issued) > binding_texts.INVITES_IN_CHAT:
        await notifier.send_document(
            message.chat.id,
            data=binding_texts.invites_csv(issued, username),
            filename=f"邀请码-{now.astimezone(zone):%Y%m%d-%H%M}.csv",
            caption=binding_texts.invites_file_caption(issued, zone, skipped_bound=skipped),
        )
        return
    text = binding_texts.invites(issued, username, zone, skipped_bound=skipped)
    await notifier.send(message.chat.id, text)


async def unbind(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/unbind P0105 — release the person's Telegram account (audited); that account is told."""
    words = (command.args or "").split()
    if len(words) != 1:
        await notifier.send(message.chat.id, binding_texts.UNBIND_USAGE)
        return
    result = await unbind_person(
        session, person_code=words[0], now=clock.now(), actor_person_id=person.person_id
    )
    await notifier.send(message.chat.id, binding_texts.unbind_done(result))
    if result.telegram_id is not None:
        await notifier.send(
            result.telegram_id,
            binding_texts.you_were_unbound(result.person_name, result.at, zone),
        )


async def workbook(
    message: Message,
    bot: Bot,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    matcher: Matcher,
    ranking: RankingRules,
    builds: Builds,
) -> None:
    """An .xlsx workbook: every row validated, then all of it imported or nothing (report as reply);
    one import at a time per admin, the workbook read and checked in a worker thread."""
    document = message.document
    assert document is not None
    name = document.file_name or ""
    if not name.lower().endswith((".xlsx", ".xlsm")):
        await notifier.send(message.chat.id, texts.IMPORT_NOT_XLSX)
        return
    if (document.file_size or 0) > MAX_DOWNLOAD:
        await notifier.send(message.chat.id, texts.IMPORT_TOO_BIG)
        return
    chat = message.chat.id

    async def build() -> None:
        status = await notifier.send(chat, texts.import_started(name))
        data = await bot.download(document)
        assert data is not None
        raw = data.read()
        if await asyncio.to_thread(has_assessment_sheet, raw):  # 年终考核 (handlers/ranking.py)
            await import_assessment(message, raw, person, session, clock, notifier, ranking)
            return
        progress = (
            Progress(notifier, chat, status[0].message_id, import_texts.render_progress)
            if status
            else None
        )
        now, home = clock.now(), None if progress is None else builds.worker.home(progress)
        summary = await builds.worker.run(  # written by the worker, in one transaction
            lambda s: import_workbook(
                s, data=raw, now=now, zone=zone, actor_person_id=person.person_id, progress=home
            )
        )
        if home is not None:
            await home.settled()  # the last progress edit before the report
        copied = await builds.worker.run(lambda s: duplicate_pairs(s, analyse=matcher.analyse))
        report = import_texts.render_summary(summary)
        report += duplicate_texts.in_import_report(copied, threshold=DEFAULT_THRESHOLD)
        await notifier.send(chat, report)

    busy = texts.STILL_IMPORTING.format(name=escape(name or "这个工作簿"))
    await builds.run(chat, "import", build, action="typing", busy=busy)


def build_router() -> Router:
    """The admins' router, guarded once for 管理员."""
    router = private_router("admin", Role.ADMIN)
    router.message.register(invite, Command("invite"))
    router.message.register(unbind, Command("unbind"))
    router.message.register(workbook, F.document)
    return router
