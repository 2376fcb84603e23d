"""From a sentence to a 履责记实: propose it, then 确认 writes the records (once, one press wins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.catalog import keep_current
from bot.services.records.choices import Choice, choice_by_id, choices_for
from bot.services.records.input_text import evidence_text
from bot.services.records.matcher import Matcher
from bot.services.records.proposal_state import batch_of, decide, load_proposal, reload
from bot.services.records.storing import (
    SYSTEM_COMMANDS,
    Proposed,
    Source,
    store,
    store_evidence,
)
from bot.services.records.writing import add_record, by_origin
from storage.models import Proposal, ProposalState, Record


@dataclass(frozen=True)
class Recorded:
    """A record stored (or found stored: `fresh` False) for a choice."""

    record: Record
    choice: Choice
    fresh: bool
    late_days: int


async def _choices(
    session: AsyncSession, viewer: Viewer, now: datetime, zone: ZoneInfo
) -> list[Choice]:
    choices = await choices_for(session, viewer=viewer, now=now, zone=zone)
    if not choices:
        raise RecordRefused(RecordProblem.NO_ITEMS)
    return choices


async def propose(
    session: AsyncSession,
    *,
    matcher: Matcher,
    viewer: Viewer,
    text: str,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
) -> Proposed:
    """Match a sentence among the viewer's items and store what to propose; a message that is
    not a completion stores nothing."""
    choices = await _choices(session, viewer, now, zone)
    by_id = {c.due_item_id: c for c in choices}
    if not text and source.file_id:  # a photo without a caption: which item is it for?
        return await store_evidence(session, viewer, source, now, zone, choices, chosen=None)
    await keep_current(session, matcher)
    today = local_date(source.sent_at, zone)
    result = matcher.match(text, [c.candidate() for c in choices], today=today)
    return await store(
        session, viewer=viewer, result=result, by_id=by_id, source=source, now=now, zone=zone
    )


async def confirm(
    session: AsyncSession,
    *,
    proposal_id: int,
    viewer: Viewer,
    now: datetime,
    zone: ZoneInfo,
) -> list[Recorded]:
    """确认: one record per part of the proposal. The state changes first, by one conditional
    UPDATE (open → confirmed, each part still on the item checked here); only the press whose
    UPDATE matched writes the records, each once (its origin is the proposal). A press that
    finds the proposal decided writes nothing: confirmed (a double press, a second worker) →
    the rows made then (`fresh` False); cancelled (取消 pressed at the same moment, first) →
    refused, saying so."""
    proposal = await load_proposal(session, proposal_id=proposal_id, viewer=viewer)
    parts = await batch_of(session, proposal=proposal)
    if any(p.state is not ProposalState.OPEN for p in parts):
        return await _decided(session, viewer=viewer, parts=parts)
    if any(p.chosen_id is None for p in parts):
        raise RecordRefused(RecordProblem.NO_CHOICE)
    choices: list[Choice] = []
    for part in parts:
        choice = await choice_by_id(session, viewer=viewer, due_item_id=part.chosen_id or 0)
        if choice is None:
            raise RecordRefused(RecordProblem.STALE)
        if choice.system:
            raise RecordRefused(RecordProblem.SYSTEM_ITEM, SYSTEM_COMMANDS[choice.system])
        choice.check_day(part.happened_on)
        choices.append(choice)
    won = await decide(
        session, parts=parts, state=ProposalState.CONFIRMED, now=now, pin_choice=True
    )
    if not won:
        return await _decided(session, viewer=viewer, parts=await reload(session, parts=parts))
    done: list[Recorded] = []
    for part, choice in zip(parts, choices, strict=True):
        done.append(
            await record_choice(
                session,
                viewer,
                choice,
                part.text,
                f"proposal:{part.id}",
                part,
                now,
                happened_on=part.happened_on,
            )
        )
        await session.exec(
            update(Proposal)
            .where(col(Proposal.id) == part.id)
            .values(record_id=done[-1].record.id)
            .execution_options(synchronize_session=False)
        )
    return done


async def _decided(
    session: AsyncSession, *, viewer: Viewer, parts: list[Proposal]
) -> list[Recorded]:
    """确认 on a proposal decided already: its records (confirmed), or why none (cancelled)."""
    if any(p.state is ProposalState.CANCELLED for p in parts):
        raise RecordRefused(RecordProblem.CANCELLED)
    if any(p.state is not ProposalState.CONFIRMED for p in parts):
        raise RecordRefused(RecordProblem.STALE)  # open still: its item changed (改选) meanwhile
    done: list[Recorded] = []
    for part in parts:
        record = await by_origin(session, origin=f"proposal:{part.id}")
        if record is None or record.due_item_id is None:
            raise RecordRefused(RecordProblem.STALE)
        choice = await choice_by_id(session, viewer=viewer, due_item_id=record.due_item_id)
        if choice is None:
            raise RecordRefused(RecordProblem.STALE)
        done.append(Recorded(record, choice, False, choice.late_days(record.happened_on)))
    return done


async def record_choice(
    session: AsyncSession,
    viewer: Viewer,
    choice: Choice,
    text: str,
    origin: str,
    source: Proposal | Source,
    now: datetime,
    *,
    happened_on: date,
) -> Recorded:
    """Store `origin`'s record of `choice` on `happened_on` (once: a second call finds it);
    a day before the due item's period began is refused."""
    choice.check_day(happened_on)
    added = await add_record(
        session,
        origin=origin,
        due_item_id=choice.due_item_id,
        author_id=viewer.person_id,
        unit_id=choice.unit_id,
        text=text or evidence_text(source.file_kind),
        happened_on=happened_on,
        now=now,
        file_id=source.file_id,
        file_kind=source.file_kind,
        source_chat_id=source.chat_id,
        source_message_id=source.message_id,
    )
    return Recorded(added.record, choice, added.fresh, choice.late_days(happened_on))
