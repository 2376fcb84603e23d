"""In a unit's group: /bindgroup, and commands that show one person's items go to private chat."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.groups import bind_group
from bot.services.directory.identity import Viewer
from bot.services.ledger.status import my_list
from bot.telegram.notifier import Notifier
from bot.texts import records as words
from handlers.filters import HasRole, IsBound
from handlers.official import send_my_page
from storage.models import Role

GROUPS = {"group", "supergroup"}


async def bindgroup(
    message: Message,
    command: CommandObject,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
) -> None:
    """/bindgroup [单位编码] — link this group to a unit."""
    linked = await bind_group(
        session, viewer=person, chat_id=message.chat.id, unit_code=command.args, now=clock.now()
    )
    await notifier.send(message.chat.id, words.group_bound(linked.unit_name, linked.moved_from))


async def my_in_group(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
) -> None:
    """/my in a group: the list goes to the person's private chat, never into the group."""
    ledger = await my_list(session, viewer=person, now=clock.now(), zone=zone)
    assert message.from_user is not None
    try:
        await send_my_page(message.from_user.id, person, ledger, 0, notifier)
    except TelegramForbiddenError:
        await notifier.send(message.chat.id, words.GROUP_PRIVATE_FAILED)
        return
    await notifier.send(message.chat.id, words.GROUP_ONLY_PRIVATE, reply_to=message.message_id)


async def bindgroup_refused(message: Message, notifier: Notifier) -> None:
    """/bindgroup from someone who is neither 联络员 nor 管理员."""
    await notifier.send(message.chat.id, words.GROUP_BIND_REFUSED, reply_to=message.message_id)


async def other_command(message: Message, notifier: Notifier) -> None:
    """Any other command addressed to the bot in a group."""
    await notifier.send(message.chat.id, words.GROUP_USE_PRIVATE, reply_to=message.message_id)


def build_router() -> Router:
    """Group chats: only commands reach here (replies to the bot are handled by recording)."""
    router = Router(name="groups")
    router.message.filter(F.chat.type.in_(GROUPS))
    admins = HasRole(Role.ADMIN, Role.SECRETARY)
    router.message.register(bindgroup, Command("bindgroup"), admins)
    router.message.register(bindgroup_refused, Command("bindgroup"), IsBound())
    router.message.register(my_in_group, Command("my"), IsBound())
    router.message.register(other_command, F.text.startswith("/"), IsBound())
    return router
