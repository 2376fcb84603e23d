"""/web: a one-time link into the read-only web view, bound to the sender's scope."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.directory.web_access import issue_link
from bot.telegram.notifier import Notifier
from bot.texts import web as words
from handlers.filters import IsBound, private_router

DEFAULT_WEB_URL = "http://127.0.0.1:8080/web"


async def web_link(
    message: Message,
    person: Viewer,
    session: AsyncSession,
    clock: Clock,
    notifier: Notifier,
    web_url: str = DEFAULT_WEB_URL,
) -> None:
    """Send a link valid LINK_LIFETIME and once; the pages it opens are the sender's scope only."""
    token = await issue_link(session, person_id=person.person_id, now=clock.now())
    await notifier.send(message.chat.id, words.link_message(person, f"{web_url}/login/{token}"))


def build_router() -> Router:
    """Any bound person in a private chat (what they see is decided by the web view's scope)."""
    router = private_router("web")
    router.message.register(web_link, Command("web"), IsBound())
    return router
