"""The clock handlers and jobs ask for `now`: the system clock, or a manual one for chat and tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware instant."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, always aware (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class StartedClock:
    """The real time's pace from a chosen start (`BOT_NOW`: drills and end-to-end tests that
    need a working-day morning whatever the hour they run at)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("StartedClock needs an aware datetime")
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class ManualClock:
    """A clock that only moves when told to: local chat mode and the tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to an aware instant (forward or back)."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        """Move forward by delta."""
        self._now = self._now + delta
