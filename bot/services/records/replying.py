"""A reply to a reminder, 催办 or item card: records at once only a sure completion of an item it names.

The reply's meaning is the one stored with the replied-to message (bot.services.replies), never
the 【code】s of its text. The sentence is matched among all of the sender's items, so a
completion of an item the message did not name is seen as such, not forced onto one it did:

- not a completion (回头再说, 在做了, 收到, 明天开): nothing stored, the reply says why;
- a sure completion (done, and fitting one named item well in absolute terms) → recorded at
  once, on the day the sentence names;
- anything less sure, or about another of the sender's items → proposed with 确认 / 改选 / 取消;
- about none of the sender's items → refused, saying the sentence fits none of the named items;
- a photo or file without words → proposed on the named item (确认 first).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.identity import Viewer
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.records.catalog import keep_current
from bot.services.records.choices import Choice, choices_by_ids, choices_for
from bot.services.records.matcher import Matcher, Outcome
from bot.services.records.proposals import Recorded, record_choice
from bot.services.records.storing import (
    SYSTEM_COMMANDS,
    Proposed,
    Source,
    store,
    store_evidence,
)
from bot.services.replies import Meaning


async def record_reply(
    session: AsyncSession,
    *,
    matcher: Matcher,
    viewer: Viewer,
    meaning: Meaning,
    text: str,
    source: Source,
    now: datetime,
    zone: ZoneInfo,
) -> Recorded | Proposed:
    """What a reply to a message naming due items does (see the module's docstring)."""
    named = await _named(session, viewer, meaning)
    if all(c.system for c in named):  # 季度自查 / 半年报告 are handed in by button, never a reply
        commands = dict.fromkeys(SYSTEM_COMMANDS[c.system] for c in named if c.system)
        raise RecordRefused(RecordProblem.SYSTEM_ITEM, "、".join(commands))
    named = [c for c in named if not c.system]
    everything = {
        c.due_item_id: c for c in await choices_for(session, viewer=viewer, now=now, zone=zone)
    }
    everything.update((c.due_item_id, c) for c in named)  # the named due item, whatever its period
    if not text and source.file_id:
        chosen = named[0].due_item_id if len(named) == 1 else None
        return await store_evidence(
            session, viewer, source, now, zone, _named_first(named, everything), chosen=chosen
        )
    await keep_current(session, matcher)
    today = local_date(source.sent_at, zone)
    named_ids = {c.due_item_id for c in named}
    candidates = [c.candidate() for c in everything.values()]
    result = matcher.match(text, candidates, today=today, named=named_ids)
    best = result.confident
    if result.outcome is Outcome.CONFIDENT and result.sure and best and best.key in named_ids:
        choice = everything[best.key]
        if choice.done:  # recorded already: a second record is proposed, never made at once
            return await store(
                session,
                viewer=viewer,
                result=result,
                by_id=everything,
                source=source,
                now=now,
                zone=zone,
            )
        origin = f"reply:{source.chat_id}:{source.message_id}"
        day = result.happened_on or today
        return await record_choice(
            session, viewer, choice, text, origin, source, now, happened_on=day
        )
    if result.outcome is Outcome.NO_MATCH:
        raise RecordRefused(RecordProblem.NOT_FOR_ITEM, "、".join(f"【{c.code}】" for c in named))
    if result.outcome is not Outcome.NOT_COMPLETION:
        # not at once: proposed as the same words sent on their own would be (a part about
        # another of the sender's items is proposed on it, not only offered)
        result = matcher.match(text, candidates, today=today)
    return await store(
        session, viewer=viewer, result=result, by_id=everything, source=source, now=now, zone=zone
    )


async def _named(session: AsyncSession, viewer: Viewer, meaning: Meaning) -> list[Choice]:
    """The due items the message named that are the viewer's (a stand-in's too), in order."""
    named = await choices_by_ids(session, viewer=viewer, due_item_ids=meaning.due_item_ids)
    if not named:
        raise RecordRefused(RecordProblem.NOT_YOURS)
    return named


def _named_first(named: list[Choice], everything: dict[int, Choice]) -> list[Choice]:
    ids = {c.due_item_id for c in named}
    return named + [c for c in everything.values() if c.due_item_id not in ids and not c.system]
