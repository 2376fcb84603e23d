"""A proposal's state: whose it is, its two-in-one parts, 改选 and 取消 (each one conditional write).

One press wins: 确认 and 取消 each change the state first, by one conditional UPDATE of every
part (… WHERE state = 'open'); only the press whose UPDATE matched goes on (确认 then writes the
records), and the other finds the proposal decided and is told how (`decide`, `reload`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlalchemy.orm.attributes import set_committed_value
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


async def reload(session: AsyncSession, *, parts: Sequence[Proposal]) -> list[Proposal]:
    """The parts as committed now (another press may have decided them since they were read)."""
    rows = await session.exec(
        select(Proposal)
        .where(col(Proposal.id).in_([p.id for p in parts]))
        .order_by(col(Proposal.id))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def decide(
    session: AsyncSession,
    *,
    parts: Sequence[Proposal],
    state: ProposalState,
    now: datetime,
    pin_choice: bool = False,
) -> bool:
    """Move every open part to `state` in one conditional UPDATE: True when this call decided
    them all, False when another press had decided them (nothing changed). `pin_choice`: only
    while each part still points at the item it was read with (a 改选 at the same moment).
    A partial match (parts decided apart, which no press does) is refused as stale; the caller's
    transaction, rolled back on the error, undoes it."""
    matching = (
        or_(
            *(and_(col(Proposal.id) == p.id, col(Proposal.chosen_id) == p.chosen_id) for p in parts)
        )
        if pin_choice
        else col(Proposal.id).in_([p.id for p in parts])
    )
    result = await session.exec(
        update(Proposal)
        .where(matching, col(Proposal.state) == ProposalState.OPEN)
        .values(state=state, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == len(parts):
        return True
    if result.rowcount:
        raise RecordRefused(RecordProblem.STALE)
    return False


async def choose(
    session: AsyncSession,
    *,
    proposal_id: int,
    due_item_id: int,
    viewer: Viewer,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[Proposal, Choice]:
    """改选: point an open proposal at another of the viewer's items (forged ids are refused);
    a conditional UPDATE, so a proposal decided a moment ago keeps the item it was decided on."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    if proposal.state is not ProposalState.OPEN:
        raise RecordRefused(RecordProblem.STALE)
    choice = await choice_by_id(session, viewer=viewer, due_item_id=due_item_id)
    if choice is None:
        raise RecordRefused(RecordProblem.NOT_YOURS)
    changed = await session.exec(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id, col(Proposal.state) == ProposalState.OPEN)
        .values(chosen_id=due_item_id)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise RecordRefused(RecordProblem.STALE)
    set_committed_value(proposal, "chosen_id", due_item_id)  # written above, not again at commit
    return proposal, choice


@dataclass(frozen=True)
class Cancelled:
    """What a 取消 found: `fresh` when this press cancelled the proposal; otherwise it had been
    decided already, `state` says how (confirmed: by the records `record_ids`)."""

    fresh: bool
    state: ProposalState
    record_ids: tuple[int, ...] = ()


async def cancel(
    session: AsyncSession, *, proposal_id: int, viewer: Viewer, now: datetime
) -> Cancelled:
    """取消 every part of an open proposal, nothing recorded; a proposal decided already (a
    double press, or 确认 pressed at the same moment and first) is left as it is, and said."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    parts = await batch_of(session, proposal=proposal)
    if await decide(session, parts=parts, state=ProposalState.CANCELLED, now=now):
        return Cancelled(fresh=True, state=ProposalState.CANCELLED)
    parts = await reload(session, parts=parts)
    if any(p.state is ProposalState.CONFIRMED for p in parts):
        ids = tuple(p.record_id for p in parts if p.record_id is not None)
        return Cancelled(fresh=False, state=ProposalState.CONFIRMED, record_ids=ids)
    return Cancelled(fresh=False, state=ProposalState.CANCELLED)


async def set_day(
    session: AsyncSession, *, proposal_id: int, viewer: Viewer, day: date
) -> list[Proposal]:
    """改日期: every part of an open proposal happened on `day` (refused before a part's period
    began); one conditional UPDATE, so a proposal decided a moment ago keeps its day."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    parts = await batch_of(session, proposal=proposal)
    if any(p.state is not ProposalState.OPEN for p in parts):
        raise RecordRefused(RecordProblem.STALE)
    for part in parts:
        if part.chosen_id is not None:
            choice = await choice_by_id(session, viewer=viewer, due_item_id=part.chosen_id)
            if choice is not None:
                choice.check_day(day)
    changed = await session.exec(
        update(Proposal)
        .where(
            col(Proposal.id).in_([p.id for p in parts]), col(Proposal.state) == ProposalState.OPEN
        )
        .values(happened_on=day)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != len(parts):
        raise RecordRefused(RecordProblem.STALE)
    for part in parts:
        set_committed_value(part, "happened_on", day)
    return parts
