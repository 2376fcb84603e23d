"""The Telegram command menu: a public default, and each bound person's own by their roles."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot import texts
from storage.models import Role

logger = logging.getLogger(__name__)


async def set_default_commands(bot: Bot) -> None:
    """The menu strangers and not-yet-refreshed chats see (start-up)."""
    commands = [BotCommand(command=c, description=d) for c, d in texts.PUBLIC_COMMANDS]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())


async def set_commands_for(
    bot: Bot, chat_id: int, roles: frozenset[Role], *, escalate_admin: int
) -> None:
    """One person's menu: only the commands of their roles (set when they bind)."""
    found = texts.commands_for(roles, escalate_admin=escalate_admin)
    commands = [BotCommand(command=c, description=d) for c, d in found]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError:
        logger.warning("could not set the command menu for chat %s", chat_id)
