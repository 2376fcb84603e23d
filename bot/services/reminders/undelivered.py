"""Steps whose message failed for good (400, 403): found by the next run, which tells someone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox, OutboxState, ReminderStep

MOOT = "moot"  # outbox_key of a step whose failed message no longer matters (the item is done)
LOST = "lost"  # nobody could be told
KINDS = ("reminder", "digest", "escalation")  # the run's messages
LOOK_BACK = timedelta(days=30)  # a refusal older than this was told, or never will be


@dataclass(frozen=True)
class Failed:
    """A taken step whose message Telegram refused for good, and whom it was for."""

    step_id: int
    due_item_id: int
    step: str
    person_id: int | None
    kind: str


async def failed_steps(session: AsyncSession, *, since: datetime) -> list[Failed]:
    """Taken steps still pointing at an outbox row that failed since `since`: nobody has been
    told of them yet (a step that was told points at the message that told, or at MOOT / LOST)."""
    failed = (
        select(col(Outbox.dedupe_key))
        .where(
            col(Outbox.state) == OutboxState.FAILED,
            col(Outbox.kind).in_(KINDS),
            col(Outbox.failed_at) >= since,
        )
        .scalar_subquery()
    )
    rows = await session.exec(
        select(ReminderStep, col(Outbox.person_id), col(Outbox.kind))
        .join(Outbox, col(Outbox.dedupe_key) == col(ReminderStep.outbox_key))
        .where(col(ReminderStep.outbox_key).in_(failed))
        .order_by(col(ReminderStep.id))
    )
    found = []
    for taken, person_id, kind in rows.all():
        assert taken.id is not None
        found.append(Failed(taken.id, taken.due_item_id, taken.step, person_id, kind))
    return found


async def point(session: AsyncSession, *, step_ids: Iterable[int], key: str) -> None:
    """The steps now point at `key`: the message that told of them (or MOOT, LOST). No commit."""
    ids = list(step_ids)
    for start in range(0, len(ids), 500):
        await session.exec(
            update(ReminderStep)
            .where(col(ReminderStep.id).in_(ids[start : start + 500]))
            .values(outbox_key=key)
        )
