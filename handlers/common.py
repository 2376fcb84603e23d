"""Common commands: /start (with an invite code it binds the account) and /help."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.clock import Clock
from bot.notify import Notifier
from bot.services.identity import Viewer, redeem_invite
from handlers.filters import IsBound, private_router
from handlers.menu import set_commands_for


async def start_with_code(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
) -> None:
    """/start CODE — bind this Telegram account to the code's person."""
    assert message.from_user is not None
    viewer = await redeem_invite(
        session, code=command.args or "", telegram_id=message.from_user.id, now=clock.now()
    )
    await notifier.send(message.chat.id, texts.welcome(viewer))
    await set_commands_for(bot, message.chat.id, viewer.roles)


async def start(message: Message, bot: Bot, person: Viewer, notifier: Notifier) -> None:
    """/start for someone already bound: a greeting and their commands (menu refreshed)."""
    await notifier.send(message.chat.id, texts.greeting(person))
    await set_commands_for(bot, message.chat.id, person.roles)


async def help_(message: Message, bot: Bot, person: Viewer, notifier: Notifier) -> None:
    """/help — only the commands of the sender's roles; the menu follows roles changed by an import."""
    await notifier.send(message.chat.id, texts.help_text(person))
    await set_commands_for(bot, message.chat.id, person.roles)


def build_router() -> Router:
    """The common router: /start with or without a code, /help."""
    router = private_router("common")
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart(), IsBound())
    router.message.register(help_, Command("help"), IsBound())
    return router
