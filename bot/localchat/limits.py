"""Telegram's flood limits as the fake Bot API enforces them (opt-in): 429 with retry_after when exceeded.

Modelled on Telegram's documented limits, and no stricter than Telegram is in practice:
- overall: more than 30 messages in any one second;
- a private chat: about one message a second, short bursts tolerated: a bucket of 3 that
  refills one a second (a client's clock and the network may be 0.1 s off: tolerated);
- a group (negative chat id): more than 20 messages in any minute.
Only accepted messages count; a refused one does not use up the budget.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

GLOBAL_LIMIT, GLOBAL_PERIOD = 30, 1.0
CHAT_RATE, CHAT_BURST, CHAT_SLACK = 1.0, 3, 0.1
GROUP_LIMIT, GROUP_PERIOD = 20, 60.0


class _Window:
    """Accepted sends in the last `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] + self.period <= now:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[len(self.times) - self.limit] + self.period - now

    def add(self, now: float) -> None:
        self.times.append(now)


class _Bucket:
    """CHAT_BURST messages at once, then one per second."""

    def __init__(self, now: float) -> None:
        self.tokens, self.stamp = float(CHAT_BURST), now

    def wait(self, now: float) -> float:
        self.tokens = min(CHAT_BURST, self.tokens + (now - self.stamp) * CHAT_RATE)
        self.stamp = now
        missing = 1 - CHAT_SLACK * CHAT_RATE - self.tokens
        return max(0.0, missing / CHAT_RATE)

    def add(self, now: float) -> None:
        self.tokens -= 1


class TelegramLimits:
    """Answers, for each message about to be accepted, how long the sender should have waited."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._global = _Window(GLOBAL_LIMIT, GLOBAL_PERIOD)
        self._chats: dict[int, _Window | _Bucket] = {}
        self.refused = 0  # 429s answered
        self.accepted = 0

    def admit(self, chat_id: int) -> int | None:
        """None when the message may go; else retry_after in whole seconds (≥ 1), as Telegram says."""
        now = self._monotonic()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Window(GROUP_LIMIT, GROUP_PERIOD) if chat_id < 0 else _Bucket(now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        self._global.add(now)
        chat.add(now)
        self.accepted += 1
        return None
