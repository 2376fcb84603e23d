"""Admins (区纪委监委 staff): invite codes, and importing the directory from a workbook."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.notify import Notifier, Progress
from bot.services.directory import import_workbook
from bot.services.identity import Viewer, issue_invites
from bot.texts import importing as import_texts
from handlers.filters import private_router
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
    """/invite P0101 P0102 | /invite all — one-time codes with their deep links."""
    words = (command.args or "").replace("，", " ").replace(",", " ").split()
    if not words:
        await notifier.send(message.chat.id, texts.INVITE_USAGE)
        return
    codes = None if [w.lower() for w in words] in (["all"], ["全部"]) else words
    issued = await issue_invites(
        session, person_codes=codes, now=clock.now(), actor_person_id=person.person_id
    )
    username = (await bot.me()).username or ""
    if len(issued) > texts.INVITES_IN_CHAT:
        await notifier.send_document(
            message.chat.id,
            data=texts.invites_csv(issued, username),
            filename=f"邀请码-{clock.now().astimezone(zone):%Y%m%d-%H%M}.csv",
            caption=texts.invites_file_caption(issued, zone),
        )
        return
    await notifier.send(message.chat.id, texts.invites(issued, username, zone))


async def workbook(
    message: Message,
    bot: Bot,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """An .xlsx workbook: every row validated, then all of it imported or nothing (report as reply)."""
    document = message.document
    assert document is not None
    name = document.file_name or ""
    if not name.lower().endswith((".xlsx", ".xlsm")):
        await notifier.send(message.chat.id, texts.IMPORT_NOT_XLSX)
        return
    if (document.file_size or 0) > MAX_DOWNLOAD:
        await notifier.send(message.chat.id, texts.IMPORT_TOO_BIG)
        return
    status = await notifier.send(message.chat.id, texts.import_started(name))
    data = await bot.download(document)
    assert data is not None
    progress = (
        Progress(notifier, message.chat.id, status[0].message_id, import_texts.render_progress)
        if status
        else None
    )
    summary = await import_workbook(
        session,
        data=data.read(),
        now=clock.now(),
        zone=zone,
        actor_person_id=person.person_id,
        progress=progress,
    )
    await notifier.send(message.chat.id, import_texts.render_summary(summary))


def build_router() -> Router:
    """The admins' router, guarded once for 管理员."""
    router = private_router("admin", Role.ADMIN)
    router.message.register(invite, Command("invite"))
    router.message.register(workbook, F.document)
    return router
