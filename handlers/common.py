"""Common commands: /start (with an invite code it binds the account) and /help."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.services.directory.binding import redeem_invite
from bot.services.directory.identity import Viewer
from bot.services.reminders.ladder import LadderRules
from bot.telegram.notifier import Notifier
from bot.texts import binding as binding_texts
from handlers.filters import IsBound, private_router
from handlers.menu import set_commands_for


async def start_with_code(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    notifier: Notifier,
    rules: LadderRules,
) -> None:
    """/start CODE — bind this account; the code's own account tapping the link again is greeted.

    A re-bind code moves the person's binding: the old account is told (after the commit).
    """
    assert message.from_user is not None
    now = clock.now()
    result = await redeem_invite(
        session, code=command.args or "", telegram_id=message.from_user.id, now=now
    )
    viewer = result.viewer
    days = rules.escalate_admin
    welcome = texts.greeting if result.again else texts.welcome
    await notifier.send(message.chat.id, welcome(viewer, escalate_admin=days))
    await set_commands_for(bot, message.chat.id, viewer.roles, escalate_admin=days)
    if result.replaced_telegram_id is not None:
        await notifier.send(
            result.replaced_telegram_id, binding_texts.moved_away(viewer.name, now, zone)
        )


async def start(
    message: Message, bot: Bot, person: Viewer, notifier: Notifier, rules: LadderRules
) -> None:
    """/start for someone already bound: a greeting and their commands (menu refreshed)."""
    days = rules.escalate_admin
    await notifier.send(message.chat.id, texts.greeting(person, escalate_admin=days))
    await set_commands_for(bot, message.chat.id, person.roles, escalate_admin=days)


async def help_(
    message: Message, bot: Bot, person: Viewer, notifier: Notifier, rules: LadderRules
) -> None:
    """/help — only the commands of the sender's roles; the menu follows roles changed by an import."""
    days = rules.escalate_admin
    await notifier.send(message.chat.id, texts.help_text(person, escalate_admin=days))
    await set_commands_for(bot, message.chat.id, person.roles, escalate_admin=days)


def build_router() -> Router:
    """The common router: /start with or without a code, /help."""
    router = private_router("common")
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart(), IsBound())
    router.message.register(help_, Command("help"), IsBound())
    return router
