"""/progress: the quarter's completion as a chart with its numbers; officials see their own items,
and are told /export and /publicize are the 联络员's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import mine
from bot.services.oversight.progress import chart_png, quarter_of, quarter_progress
from bot.telegram.building import Builds
from bot.telegram.notifier import Notifier
from bot.texts import exports as words
from handlers.filters import private_router
from storage.models import OFFICIAL_ROLES


async def send_progress(
    chat_id: int,
    *,
    unit_id: int,
    unit_name: str,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
    where: ColumnElement[bool] | None = None,
    own: str | None = None,
) -> None:
    """This quarter's chart for the unit (or, with `where` and `own`, one person's items); one
    build at a time per chat."""
    today = local_date(clock.now(), zone)
    year, quarter = quarter_of(today)

    async def build() -> None:
        progress = await builds.worker.run(
            lambda s: quarter_progress(
                s, unit_id=unit_id, year=year, quarter=quarter, today=today, where=where
            )
        )
        if progress.total == 0 and progress.closed == 0:
            await notifier.send(chat_id, words.no_progress(unit_name, progress, own))
            return
        png = await chart_png(
            progress,
            title=words.chart_title(unit_name, progress, own),
            person_heading=words.PERSON_HEADING,
            item_heading=words.ITEM_HEADING,
        )
        caption, follow = words.progress_caption(words.progress_numbers(unit_name, progress, own))
        if png is None:  # the numbers still go out, as text
            await notifier.send(chat_id, caption)
        else:
            name = words.progress_filename(unit_name, progress, own)
            await notifier.send_photo(chat_id, data=png, filename=name, caption=caption)
        if follow:
            await notifier.send(chat_id, follow)

    view = f"progress:{unit_id}:{own or ''}"
    await builds.run(chat_id, view, build, action="upload_photo")


async def own_progress(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    builds: Builds,
) -> None:
    """/progress for an official: their own items this quarter (and the unit team's if 第一责任人)."""
    await send_progress(
        message.chat.id,
        unit_id=person.unit_id,
        unit_name=person.unit_name,
        session=session,
        clock=clock,
        zone=zone,
        notifier=notifier,
        builds=builds,
        where=mine(person),
        own=person.name,
    )


async def not_for_officials(message: Message, notifier: Notifier) -> None:
    """/export or /publicize from an official: whose job it is, and what they can see instead."""
    text = message.text or ""
    refusal = words.OFFICIAL_PUBLICIZE if text.startswith("/publicize") else words.OFFICIAL_EXPORT
    await notifier.send(message.chat.id, refusal)


def build_router() -> Router:
    """Officials' /progress (own items) and clear refusals of /export and /publicize.

    Included after the secretaries' and admins' router: a 联络员 who is also 班子成员 gets the
    unit's view there."""
    router = private_router("progress_officials", *OFFICIAL_ROLES)
    router.message.register(own_progress, Command("progress"))
    router.message.register(not_for_officials, Command("export", "publicize"))
    return router
