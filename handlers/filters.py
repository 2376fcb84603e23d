"""Router guards: bound people, people with given roles, private chats only; sync filters run inline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Dispatcher, F, Router
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


def on_the_loop(dispatcher: Dispatcher) -> int:
    """Make every synchronous filter and handler of the dispatcher's routers run on the event
    loop; returns how many there were.

    aiogram runs any callable that is not a coroutine function through `asyncio.to_thread`, and
    a magic filter (`F.text`, `F.chat.type == "private"`) is such a callable: an update passed
    through about thirty thread hand-offs on its way to its handler, each a few hundred
    microseconds of switching and a queue behind the other updates of a burst. Our synchronous
    callables are attribute checks, cheaper than the hand-off; run inline, the result is the
    same (bench/bench_submit.py; tests/handlers/test_filters_inline.py)."""
    count = 0
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            guards = observer._handler.filters or []  # the router's own guards
            for callable_ in [*guards, *observer.handlers]:
                for each in [callable_, *(getattr(callable_, "filters", None) or [])]:
                    if not each.awaitable:
                        each.callback, each.awaitable = _inline(each.callback), True
                        count += 1
    return count


def _inline(sync: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    return inline
