"""What a match result stores: one proposal per completed thing, and the parts it left, said why.

A message may hold several parts (“…，还…”, a numbered list, lines): each completion becomes a
proposal (its item chosen when the matcher is confident, else left for 改选), every other part
(a plan, a refusal, a line about nothing, 季度自查 / 半年报告) is kept in `skipped` so the reply
names it: nothing is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.choices import Choice
from bot.services.records.matcher import MatchResult, Outcome
from bot.services.records.matching.intent import Intent
from storage.models import Proposal

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
class Skipped:
    """A part of a message that became no proposal: its words and why (its intent when it is
    not a completion; `system` when it is about 季度自查 / 半年报告; neither: fits no item)."""

    text: str
    intent: Intent
    system: str | None = None


@dataclass(frozen=True)
class Proposed:
    """The reply to a sentence: nothing (not a completion), or proposals to confirm or choose."""

    outcome: Outcome
    intent: Intent
    proposals: list[Proposal] = field(default_factory=list)
    choices: dict[int, Choice] = field(default_factory=dict)  # due item id → choice
    offered: list[Choice] = field(default_factory=list)  # unsure: best first (≤ 3)
    skipped: list[Skipped] = field(default_factory=list)  # parts proposed as nothing


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


def _system_of(part: MatchResult, by_id: dict[int, Choice]) -> str | None:
    best = part.confident
    if best is None and part.outcome is Outcome.UNSURE and part.ranked:
        best = part.ranked[0][0]
    return by_id[best.key].system if best is not None else None


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
    day its sentence names (else the day it was sent). A single sentence most like 季度自查 /
    半年报告 is refused (they are handed in by /selfcheck and /report); as one part of several,
    it is skipped and said."""
    parts = result.parts if result.outcome is Outcome.SPLIT else [result]
    kept: list[MatchResult] = []
    skipped: list[Skipped] = []
    for part in parts:
        system = _system_of(part, by_id) if part.intent is Intent.COMPLETION else None
        nothing = part.outcome is Outcome.NO_MATCH and len(parts) > 1  # one line of chatter
        if part.outcome is Outcome.NOT_COMPLETION or system or nothing:
            skipped.append(Skipped(part.text.strip(), part.intent, system))
        else:
            kept.append(part)
    if not kept:
        if len(skipped) == 1 and skipped[0].system:
            raise RecordRefused(RecordProblem.SYSTEM_ITEM, SYSTEM_COMMANDS[skipped[0].system])
        intent = next((s.intent for s in skipped if s.intent is not Intent.COMPLETION), None)
        return Proposed(Outcome.NOT_COMPLETION, intent or Intent.ACK, skipped=skipped)
    proposals = [_from_result(viewer, part, source, now, zone) for part in kept]
    for proposal in proposals:  # a day before the proposed item's period: said now, not at 确认
        if proposal.chosen_id is not None:
            by_id[proposal.chosen_id].check_day(proposal.happened_on)
    session.add_all(proposals)
    await session.flush()
    if len(proposals) > 1:
        for proposal in proposals:
            proposal.batch = proposals[0].id or 0
        await session.flush()
        return Proposed(Outcome.SPLIT, Intent.COMPLETION, proposals, by_id, skipped=skipped)
    [only] = kept
    outcome = only.outcome if only.outcome is not Outcome.SPLIT else Outcome.UNSURE
    ranked = [by_id[c.key] for c, _ in only.ranked] if outcome is Outcome.UNSURE else []
    offered = [c for c in ranked if not c.system][:3]
    if outcome is Outcome.UNSURE and not offered:
        outcome = Outcome.NO_MATCH
    return Proposed(outcome, Intent.COMPLETION, proposals, by_id, offered, skipped)


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
