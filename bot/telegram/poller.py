"""Long polling that confirms an update to Telegram only after it and every update before it were handled.

aiogram's own polling asks for the next offset as soon as a batch arrives, so a crash loses
every update still being handled. Here the offset sent with getUpdates is the lowest update
still in flight: a SIGKILL leaves those unconfirmed, Telegram delivers them again, and the
update claims (handlers.middlewares) drop the ones whose work had already committed.
Updates of a batch are still handled concurrently, each in its own task.

On SIGTERM/SIGINT the poller stops asking for updates, gives running handlers a bounded
grace period, then cancels the rest (their transactions roll back, their updates stay
unconfirmed and are handled again after the restart) and tells each user so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot import texts
from bot.telegram.notifier import Notifier

logger = logging.getLogger(__name__)
_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=30.0, factor=1.5, jitter=0.1)
_IDLE = 0.5  # seconds to wait for a running handler when a poll brought nothing new


class Poller:
    """Feeds updates from getUpdates to the dispatcher; see the module docstring."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        notifier: Notifier,
        *,
        grace: float,
        polling_timeout: int = 25,
    ) -> None:
        self.dispatcher, self.bot, self.notifier = dispatcher, bot, notifier
        self.grace = grace
        self.polling_timeout = polling_timeout
        self.stopping = asyncio.Event()
        self._running: dict[int, asyncio.Task[Any]] = {}
        self._updates: dict[int, Update] = {}
        self._finished: set[int] = set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT start a graceful stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        logger.info("%s received: no new updates; finishing what is running", sig.name)
        self.stopping.set()

    def offset(self, highest_seen: int | None) -> int | None:
        """The offset to confirm: the lowest update still running, else one past the highest seen."""
        if self._running:
            return min(self._running)
        return None if highest_seen is None else highest_seen + 1

    async def run(self) -> None:
        """Poll until stopping is set, then drain (bounded by grace)."""
        allowed = self.dispatcher.resolve_used_update_types()
        timeout = int((self.bot.session.timeout or 60) + self.polling_timeout)
        backoff = Backoff(config=_BACKOFF)
        highest: int | None = None
        while not self.stopping.is_set():
            request = GetUpdates(
                offset=self.offset(highest), timeout=self.polling_timeout, allowed_updates=allowed
            )
            if self._running:
                request.timeout = 0  # something is running: do not sit in a long poll
            fetch = asyncio.ensure_future(self.bot(request, request_timeout=timeout))
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(BaseException):
                    await fetch
                break
            try:
                updates = fetch.result()
            except Exception as exc:
                logger.error("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc)
                await backoff.asleep()
                continue
            backoff.reset()
            started = 0
            for update in updates:
                highest = max(highest or 0, update.update_id)
                if update.update_id in self._running or update.update_id in self._finished:
                    continue
                self._start(update)
                started += 1
            self._forget_confirmed()
            if not started and self._running:
                await asyncio.wait(
                    list(self._running.values()),
                    timeout=_IDLE,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        abandoned = await self.drain()
        await self._confirm(min(abandoned) if abandoned else self.offset(highest))

    async def _confirm(self, offset: int | None) -> None:
        """Tell Telegram which updates were handled, so the next start does not see them again.

        An abandoned update stays unconfirmed: Telegram delivers it again after the restart.
        """
        if offset is None:
            return
        with contextlib.suppress(Exception):
            await self.bot(GetUpdates(offset=offset, timeout=0, limit=1), request_timeout=5)

    def _start(self, update: Update) -> None:
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._running[update.update_id] = task
        self._updates[update.update_id] = update

    async def _handle(self, update: Update) -> None:
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            # the error router answered the user where it could; the claim was rolled back
            logger.exception("update %s failed", update.update_id)
        finally:
            self._running.pop(update.update_id, None)
            self._updates.pop(update.update_id, None)
            self._finished.add(update.update_id)

    def _forget_confirmed(self) -> None:
        floor = min(self._running) if self._running else None
        if floor is None:
            self._finished.clear()
        else:
            self._finished = {update_id for update_id in self._finished if update_id > floor}

    async def drain(self) -> list[int]:
        """Wait up to `grace` seconds for running handlers; cancel and report the rest."""
        if self._running:
            logger.info(
                "waiting up to %ss for %s running update(s)", self.grace, len(self._running)
            )
            await asyncio.wait(list(self._running.values()), timeout=self.grace)
        abandoned = sorted(self._running)
        if not abandoned:
            return []
        updates = [self._updates[update_id] for update_id in abandoned]
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        logger.error(
            "stopped with %s update(s) unfinished after %ss: %s — rolled back; Telegram delivers "
            "them again after the restart",
            len(abandoned),
            self.grace,
            ", ".join(map(str, abandoned)),
        )
        for update in updates:
            chat = _chat_of(update)
            if chat is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.notifier.send(chat, texts.ABANDONED), timeout=5)
        return abandoned


def _chat_of(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    return None
