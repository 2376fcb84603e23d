"""Progress: a status message edited as long work advances, at most once a second."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.telegram.notifier import Notifier


class Progress:
    """A status message edited as long work advances, at most once a second."""

    def __init__(
        self,
        notifier: Notifier,
        chat_id: int,
        message_id: int,
        render: Callable[[str, int, int], str],
    ) -> None:
        self._notifier = notifier
        self._chat_id = chat_id
        self._message_id = message_id
        self._render = render
        self._last = 0.0

    async def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 1.0:
            return
        self._last = now
        await self._notifier.edit(self._chat_id, self._message_id, self._render(stage, done, total))
