"""An edited message: its open proposal follows the edit; a record made from it keeps its words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer
from bot.services.errors import RecordRefused
from bot.services.plain_text import strip_controls
from bot.services.records.input_text import clean_text
from bot.services.records.matcher import Matcher, Outcome
from bot.services.records.proposal_state import decide, reload
from bot.services.records.proposals import propose
from bot.services.records.storing import Proposed, Source
from storage.models import Proposal, ProposalState, Record


@dataclass(frozen=True)
class Kept:
    """The message had become records already (these): they keep the text it had then."""

    record_ids: tuple[int, ...]


@dataclass(frozen=True)
class Replaced:
    """The message's open proposal was cancelled; the new text was proposed (`proposed`: what
    it matched, maybe nothing to record) or refused (`refused`: why, e.g. now empty)."""

    proposed: Proposed | None = None
    refused: RecordRefused | None = None
    replaced: bool = True  # False: the message had made nothing; its new words propose


async def follow_edit(
    session: AsyncSession,
    *,
    matcher: Matcher,
    viewer: Viewer,
    text: str | None,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
    fresh: bool = True,
) -> Kept | Replaced | None:
    """The viewer edited the message `source` names so that it now reads `text`:

    - made into records already (a record from it, or a confirmed proposal) → Kept, nothing
      changes (a record is corrected by /records → 更正文字, as a new row);
    - an open proposal of it → cancelled by one conditional UPDATE (proposal_state.decide: a
      确认 pressed at the same moment wins, and then it is Kept), and the new text proposed
      among all the viewer's items (an edit never records at once, even of a reply) → Replaced;
    - a message that had made nothing (a plan, a stall) → with `fresh` (a private chat), its
      new words proposed when they now tell of something done (Replaced, `replaced` False);
    - anything else (cancelled, an edit that changed nothing) → None."""
    if source.message_id is None:
        return None
    mine = select(Proposal).where(
        col(Proposal.chat_id) == source.chat_id,
        col(Proposal.message_id) == source.message_id,
        col(Proposal.person_id) == viewer.person_id,
    )
    proposals = list((await session.exec(mine.order_by(col(Proposal.id)))).all())
    records = await _records_of(session, viewer=viewer, source=source)
    typed = strip_controls(text or "").strip()
    if records or any(p.state is ProposalState.CONFIRMED for p in proposals):
        return _kept(records, proposals, typed)
    open_parts = [p for p in proposals if p.state is ProposalState.OPEN]
    if not open_parts and not proposals and not records:
        if not fresh:
            return None
        return await _fresh(
            session, matcher=matcher, viewer=viewer, text=text, source=source, now=now, zone=zone
        )
    if not open_parts:
        return None
    if len(open_parts) == 1 and open_parts[0].text == typed and not open_parts[0].batch:
        return None  # Telegram reports an edit, the words did not change
    if not await decide(session, parts=open_parts, state=ProposalState.CANCELLED, now=now):
        decided = await reload(session, parts=open_parts)
        if any(p.state is ProposalState.CONFIRMED for p in decided):
            return _kept(records, decided, typed)
        return None  # 取消 pressed at the same moment: nothing left to follow
    found = await _propose(session, matcher, viewer, text, source, now, zone)
    if isinstance(found, RecordRefused):
        return Replaced(refused=found)
    return Replaced(proposed=found)


async def _fresh(
    session: AsyncSession,
    *,
    matcher: Matcher,
    viewer: Viewer,
    text: str | None,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
) -> Replaced | None:
    """A message that had made nothing (a plan, a stall) edited: its new words are proposed
    when they now tell of something done; otherwise the edit stays unanswered."""
    proposed = await _propose(session, matcher, viewer, text, source, now, zone)
    if isinstance(proposed, RecordRefused):
        return None
    if proposed.outcome is Outcome.NOT_COMPLETION:
        return None
    return Replaced(proposed=proposed, replaced=False)


async def _propose(
    session: AsyncSession,
    matcher: Matcher,
    viewer: Viewer,
    text: str | None,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
) -> Proposed | RecordRefused:
    """The edited words proposed as a new message would be, or why not (a refusal leaves
    nothing of the new proposal behind)."""
    try:
        async with session.begin_nested():
            cleaned = clean_text(text, allow_empty=source.file_id is not None)
            return await propose(
                session,
                matcher=matcher,
                viewer=viewer,
                text=cleaned,
                source=source,
                now=now,
                zone=zone,
            )
    except RecordRefused as refused:
        return refused


async def _records_of(session: AsyncSession, *, viewer: Viewer, source: Source) -> list[Record]:
    """The viewer's records made from the message (its corrections carry its source too)."""
    rows = await session.exec(
        select(Record)
        .where(
            col(Record.source_chat_id) == source.chat_id,
            col(Record.source_message_id) == source.message_id,
            col(Record.author_id) == viewer.person_id,
            col(Record.voids_id).is_(None),
        )
        .order_by(col(Record.id))
    )
    return list(rows.all())


def _kept(records: list[Record], proposals: Sequence[Proposal], typed: str) -> Kept | None:
    """Kept, naming the records; None when the edit left the words as recorded."""
    if any(record.text == typed for record in records):
        return None
    ids = [record.id for record in records if record.id is not None]
    ids += [p.record_id for p in proposals if p.record_id is not None and p.record_id not in ids]
    return Kept(tuple(sorted(ids)))
