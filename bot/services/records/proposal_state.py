"""A proposal's state: whose it is, its two-in-one parts, 改选 and 取消 (each one conditional write)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.choices import Choice, choice_by_id
from storage.models import Proposal, ProposalState


async def load_proposal(session: AsyncSession, *, proposal_id: int, viewer: Viewer) -> Proposal:
    """The viewer's proposal, or a refusal (gone: stale; someone else's: foreign)."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        raise RecordRefused(RecordProblem.STALE)
    if proposal.person_id != viewer.person_id:
        raise RecordRefused(RecordProblem.FOREIGN)
    return proposal


async def batch_of(session: AsyncSession, *, proposal: Proposal) -> list[Proposal]:
    """The proposal and the other parts of its two-in-one message, in order."""
    if not proposal.batch:
        return [proposal]
    rows = await session.exec(
        select(Proposal)
        .where(or_(col(Proposal.batch) == proposal.batch, col(Proposal.id) == proposal.batch))
        .order_by(col(Proposal.id))
    )
    return list(rows.all())


async def choose(
    session: AsyncSession,
    *,
    proposal_id: int,
    due_item_id: int,
    viewer: Viewer,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[Proposal, Choice]:
    """改选: point an open proposal at another of the viewer's items (forged ids are refused)."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    if proposal.state is not ProposalState.OPEN:
        raise RecordRefused(RecordProblem.STALE)
    choice = await choice_by_id(session, viewer=viewer, due_item_id=due_item_id)
    if choice is None:
        raise RecordRefused(RecordProblem.NOT_YOURS)
    proposal.chosen_id = due_item_id
    await session.flush()
    return proposal, choice


async def cancel(session: AsyncSession, *, proposal_id: int, viewer: Viewer, now: datetime) -> bool:
    """取消: True when this press cancelled it (False: decided already)."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    ids = [p.id for p in await batch_of(session, proposal=proposal)]
    result = await session.exec(
        update(Proposal)
        .where(col(Proposal.id).in_(ids), col(Proposal.state) == ProposalState.OPEN)
        .values(state=ProposalState.CANCELLED, decided_at=now)
    )
    return bool(result.rowcount)
