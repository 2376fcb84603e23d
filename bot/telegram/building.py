"""Heavy answers: one build at a time per chat and view, announced by a chat action while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from bot import texts
from bot.telegram.notifier import Notifier
from storage.worker import Worker

logger = logging.getLogger(__name__)
Action = Literal["typing", "upload_photo", "upload_document"]
REPEAT = 4.0  # seconds; Telegram shows a chat action for about five


class Builds:
    """The heavy views being built right now, by (chat, view).

    `run` starts a build unless the same view is already being built for the same chat: then the
    person is told to wait (texts.STILL_BUILDING) and nothing starts. While a build runs, the chat
    shows a chat action ("sending a file…") at once and every few seconds, so a slow answer is
    seen to be coming; the action is best effort (not paced, failures only logged). The work
    itself must keep the event loop free: its database reads and writes go through `worker`
    (storage.worker: its own thread, loop and engine), its CPU-bound steps to a worker thread.
    """

    def __init__(self, notifier: Notifier, worker: Worker, *, repeat: float = REPEAT) -> None:
        self.notifier = notifier
        self.worker = worker  # the builds' database work runs there, off the bot's loop
        self.repeat = repeat
        self._running: set[tuple[int, str]] = set()

    def busy(self, chat_id: int, view: str) -> bool:
        """Whether `view` is being built for `chat_id` now (a button handler answers its query)."""
        return (chat_id, view) in self._running

    async def run(
        self,
        chat_id: int,
        view: str,
        work: Callable[[], Awaitable[object]],
        *,
        action: Action = "upload_document",
        busy: str = texts.STILL_BUILDING,
    ) -> bool:
        """Build and send `view` with `work`: True when it ran, False when one was already running
        (the person was told so with `busy`). `view` names the request with its arguments
        (units:2026-Q3): a different request is built, not dropped."""
        key = (chat_id, view)
        if key in self._running:
            await self.notifier.send(chat_id, busy)
            return False
        self._running.add(key)
        showing = asyncio.create_task(self._show(chat_id, action), name=f"action-{view}")
        try:
            await work()
        finally:
            self._running.discard(key)
            showing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await showing
        return True

    async def _show(self, chat_id: int, action: Action) -> None:
        while True:
            try:
                await asyncio.wait_for(
                    self.notifier.bot.send_chat_action(chat_id=chat_id, action=action),
                    self.repeat,
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("chat action %s not shown in chat %s", action, chat_id)
            await asyncio.sleep(self.repeat)
