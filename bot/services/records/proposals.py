"""From a sentence to a 履责记实: proposals (确认 / 改选 / 取消) and replies that record at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
from bot.services.records.matcher import Matcher, MatchResult, Outcome
from bot.services.records.matching.intent import Intent
from bot.services.records.proposal_state import batch_of, decide, load_proposal, reload
from bot.services.records.writing import add_record, by_origin
from storage.models import Proposal, ProposalState, Record

SYSTEM_COMMANDS = {"selfcheck": "/selfcheck", "report": "/report"}


@dataclass(frozen=True)
class Source:
    """Where a sentence came from: the chat, the message, when it was sent, any evidence."""

    chat_id: int
    message_id: int | None
    sent_at: datetime
    file_id: str | None = None
    file_kind: str | None = None


@dataclass(frozen=True)
class Proposed:
    """The reply to a sentence: nothing (not a completion), or proposals to confirm or choose."""

    outcome: Outcome
    intent: Intent
    proposals: list[Proposal] = field(default_factory=list)
    choices: dict[int, Choice] = field(default_factory=dict)  # due item id → choice
    offered: list[Choice] = field(default_factory=list)  # unsure: best first (≤ 3)


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


async def store_evidence(
    session: AsyncSession,
    viewer: Viewer,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
    choices: Sequence[Choice],
    *,
    chosen: int | None,
) -> Proposed:
    """A photo or file without words: which item is it for (`chosen`: the one replied to)?"""
    ids = [c.due_item_id for c in choices]
    proposal = _proposal(viewer, "", source, now, zone, ids, chosen, None)
    session.add(proposal)
    await session.flush()
    outcome = Outcome.CONFIDENT if chosen is not None else Outcome.NO_MATCH
    return Proposed(outcome, Intent.COMPLETION, [proposal], {c.due_item_id: c for c in choices})


async def store(
    session: AsyncSession,
    *,
    viewer: Viewer,
    result: MatchResult,
    by_id: dict[int, Choice],
    source: Source,
    now: datetime,
    zone: ZoneInfo,
) -> Proposed:
    """Store the proposals a match result makes (none for a non-completion), each part on the
    day its sentence names (else the day it was sent)."""
    outcome = result.outcome
    if outcome is Outcome.NOT_COMPLETION:
        return Proposed(outcome, result.intent)
    parts = result.parts if outcome is Outcome.SPLIT else [result]
    _not_for_system(parts, by_id)
    proposals = [_from_result(viewer, part, source, now, zone) for part in parts]
    for proposal in proposals:  # a day before the proposed item's period: said now, not at 确认
        if proposal.chosen_id is not None:
            by_id[proposal.chosen_id].check_day(proposal.happened_on)
    for proposal in proposals:
        session.add(proposal)
    await session.flush()
    if len(proposals) > 1:
        first = proposals[0].id or 0
        for proposal in proposals:
            proposal.batch = first
        await session.flush()
    ranked = [by_id[c.key] for c, _ in result.ranked] if outcome is Outcome.UNSURE else []
    offered = [c for c in ranked if not c.system][:3]
    return Proposed(outcome, result.intent, proposals, by_id, offered)


def _not_for_system(parts: Sequence[MatchResult], by_id: dict[int, Choice]) -> None:
    """A sentence (or a reply) most like 季度自查 / 半年报告 is refused, never proposed: they are
    handed in by /selfcheck and /report (a reminder's button), not by a sentence."""
    for part in parts:
        best = part.confident
        if best is None and part.outcome is Outcome.UNSURE and part.ranked:
            best = part.ranked[0][0]
        system = by_id[best.key].system if best is not None else None
        if system:
            raise RecordRefused(RecordProblem.SYSTEM_ITEM, SYSTEM_COMMANDS[system])


def _from_result(
    viewer: Viewer, result: MatchResult, source: Source, now: datetime, zone: ZoneInfo
) -> Proposal:
    ranked = [c.key for c, _ in result.ranked[:3]]
    chosen = result.confident.key if result.confident is not None else None
    text = result.text.strip()
    return _proposal(viewer, text, source, now, zone, ranked, chosen, result.happened_on)


def _proposal(
    viewer: Viewer,
    text: str,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
    candidates: list[int],
    chosen: int | None,
    happened_on: date | None,
) -> Proposal:
    return Proposal(
        person_id=viewer.person_id,
        chat_id=source.chat_id,
        message_id=source.message_id,
        text=text,
        happened_on=happened_on or local_date(source.sent_at, zone),
        candidates=",".join(str(c) for c in candidates),
        chosen_id=chosen,
        file_id=source.file_id,
        file_kind=source.file_kind,
        created_at=now,
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
