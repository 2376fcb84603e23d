"""aiogram's FSM storage that keeps nothing: conversation state lives in the database, never in a worker.

Several `serve` workers answer one token; the next update of a conversation may reach another
worker, so state in one process's memory (aiogram's MemoryStorage) would be lost there. The bot
keeps every conversation's state in its tables instead — drafts of the 半年报告 and 季度自查
(DraftState), open proposals, and the message a reply answers (outbox.telegram_message_id) —
and no handler uses aiogram's FSM. This storage makes that a rule rather than a habit: reading
gives "no state", and writing one raises, so a handler that starts using FSM fails its tests
instead of working on one worker only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey


class StateInMemoryRefused(RuntimeError):
    """A handler tried to keep FSM state; keep it in the database instead (see the module)."""


class StatelessStorage(BaseStorage):
    """No state, no data; setting either raises StateInMemoryRefused (clearing is allowed)."""

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        if state is not None:
            name = state.state if isinstance(state, State) else state
            raise StateInMemoryRefused(f"FSM state {name!r}: keep it in the database")

    async def get_state(self, key: StorageKey) -> str | None:
        return None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if data:
            raise StateInMemoryRefused("FSM data: keep it in the database")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return {}

    async def close(self) -> None:
        return None
