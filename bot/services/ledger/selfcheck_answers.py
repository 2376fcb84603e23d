"""A person's 季度自查 answers: the latest submitted version of a quarter, answers by due item, versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DraftState, Report, SelfCheck, SelfCheckAnswer


@dataclass(frozen=True)
class Answer:
    """One item's answer: status ('' until chosen, when only a note was written) and the note."""

    status: str
    note: str


@dataclass(frozen=True)
class Submitted:
    """The self-check that counts for a person and quarter: its version and answers."""

    id: int
    version: int
    submitted_at: datetime
    answers: dict[int, Answer]  # due item id → answer


async def latest_selfcheck(
    session: AsyncSession, *, person_id: int, period_key: str
) -> Submitted | None:
    """The latest submitted self-check of a person for a quarter key (e.g. 2026-Q4), or None.

    Public: the half-year report and the 季度工作进展清单 export read self-checks through it.
    """
    check = (
        await session.exec(
            select(SelfCheck)
            .where(
                col(SelfCheck.person_id) == person_id,
                col(SelfCheck.period_key) == period_key,
                col(SelfCheck.state) == DraftState.SUBMITTED,
            )
            .order_by(col(SelfCheck.version).desc())
        )
    ).first()
    if check is None or check.submitted_at is None:
        return None
    answers = await answers_of(session, selfcheck_id=_id(check.id))
    return Submitted(_id(check.id), check.version, check.submitted_at, answers)


async def answers_of(session: AsyncSession, *, selfcheck_id: int) -> dict[int, Answer]:
    """A self-check's answers by due item id."""
    query = select(SelfCheckAnswer).where(col(SelfCheckAnswer.selfcheck_id) == selfcheck_id)
    return {row.due_item_id: Answer(row.status, row.note) for row in (await session.exec(query))}


async def put_answer(
    session: AsyncSession,
    selfcheck_id: int,
    due_item_id: int,
    now: datetime,
    *,
    status: str | None = None,
    note: str | None = None,
) -> None:
    """Set an answer's status and/or note (the row is made on first use)."""
    row = (
        await session.exec(
            select(SelfCheckAnswer).where(
                col(SelfCheckAnswer.selfcheck_id) == selfcheck_id,
                col(SelfCheckAnswer.due_item_id) == due_item_id,
            )
        )
    ).first()
    if row is None:
        row = SelfCheckAnswer(
            selfcheck_id=selfcheck_id, due_item_id=due_item_id, status="", answered_at=now
        )
    if status is not None:
        row.status = status
    if note is not None:
        row.note = note
    row.answered_at = now
    session.add(row)
    await session.flush()


async def next_version(
    session: AsyncSession, *, model: type[SelfCheck] | type[Report], person_id: int, period_key: str
) -> int:
    """The version a new self-check or report of this person and period gets (1 for the first)."""
    latest = (
        await session.exec(
            select(func.max(model.version)).where(
                col(model.person_id) == person_id, col(model.period_key) == period_key
            )
        )
    ).one()
    return (latest or 0) + 1


def _id(value: int | None) -> int:
    assert value is not None
    return value
