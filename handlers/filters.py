"""Router guards: bound people, people with given roles, private chats only."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.services.directory.identity import Viewer
from storage.models import Role


class IsBound(Filter):
    """The sender is an active, bound person."""

    async def __call__(self, event: TelegramObject, person: Viewer | None) -> bool:
        return person is not None


class HasRole(Filter):
    """The sender is bound and holds at least one of the roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, person: Viewer | None) -> bool:
        return person is not None and bool(person.roles & self.roles)


def private_router(name: str, *roles: Role) -> Router:
    """A router for private chats, guarded once for the given roles (none: anyone)."""
    router = Router(name=name)
    router.message.filter(F.chat.type == "private")
    if roles:
        router.message.filter(HasRole(*roles))
        router.callback_query.filter(HasRole(*roles))
    return router


class IsStranger(Filter):
    """The sender is not bound to an active person."""

    async def __call__(self, event: TelegramObject, person: Viewer | None) -> bool:
        return person is None
