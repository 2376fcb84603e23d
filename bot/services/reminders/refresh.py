"""Delivery against the state at delivery: a queued reminder re-worded from its items still open."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.directory.recipients import load_directory
from bot.services.ledger.outstanding import is_open
from bot.services.reminders.ladder import PROMPT, Calendar, LadderRules
from bot.services.reminders.run import Due, Entry, Outgoing, RenderFn
from bot.services.reminders.selection import open_dues
from storage.models import DueItem, Outbox, ReminderStep, ReplyKind, ReplyMeaning

HOLDER = "reminder"  # the run's kind (and dedupe-key prefix) of a holder's reminder


@dataclass(frozen=True)
class Rewording:
    """What re-wording needs besides the database: the run's renderer and the bot's time zone
    (built in bot.app with bot.texts.reminders.render)."""

    render: RenderFn
    zone: ZoneInfo
    rules: LadderRules


@dataclass(frozen=True)
class Reworded:
    """A queued reminder's new text and buttons."""

    text: str
    reply_markup: str | None


async def reword(
    session: AsyncSession, *, outbox_ids: Sequence[int], rewording: Rewording
) -> dict[int, Reworded]:
    """Of these outbox rows, the holders' reminders some (not all) of whose items were recorded
    or closed while they waited: each is rendered again from its entries still open, worded as
    the run worded them, and a reply to it now means only those items. Rows and reply meanings
    are updated (commits when any is); returns the new words by outbox id. A row whose entries
    cannot be found (not queued by the run) is left as it was."""
    meanings = (
        await session.exec(
            select(ReplyMeaning).where(
                col(ReplyMeaning.outbox_id).in_(outbox_ids),
                col(ReplyMeaning.kind) == ReplyKind.REMINDER,
            )
        )
    ).all()
    named = {m.id: [int(part) for part in m.due_item_ids.split(",") if part] for m in meanings}
    everything = {item for items in named.values() for item in items}
    still = set(
        (
            await session.exec(
                select(col(DueItem.id)).where(col(DueItem.id).in_(everything), is_open())
            )
        ).all()
    )
    partial = [m for m in meanings if 0 < len(still.intersection(named[m.id])) < len(named[m.id])]
    if not partial:
        return {}
    calendar = await load_calendar(session)
    found: dict[int, Reworded] = {}
    for meaning in partial:
        open_named = [item for item in named[meaning.id] if item in still]
        words = await _render(session, meaning, open_named, calendar, rewording)
        if words is None:
            continue
        assert meaning.outbox_id is not None
        await session.exec(
            update(Outbox)
            .where(col(Outbox.id) == meaning.outbox_id)
            .values(text=words.text, reply_markup=words.reply_markup)
            .execution_options(synchronize_session=False)
        )
        meaning.due_item_ids = ",".join(map(str, dict.fromkeys(open_named)))
        session.add(meaning)
        found[meaning.outbox_id] = words
    if found:
        await session.commit()
    return found


async def _render(
    session: AsyncSession,
    meaning: ReplyMeaning,
    open_named: list[int],
    calendar: Calendar,
    rewording: Rewording,
) -> Reworded | None:
    """The reminder as the run would have rendered it on its day with only `open_named`."""
    row = await session.get(Outbox, meaning.outbox_id)
    if row is None or row.kind != HOLDER or row.person_id is None:
        return None
    today = local_date(row.created_at, rewording.zone)  # the run's day: it queued the row
    steps = await _steps(session, row.dedupe_key, open_named, today)
    if not steps:
        return None
    directory = await load_directory(session, today=today)
    recipient = directory.people.get(row.person_id)
    if recipient is None:
        return None
    listed = await open_dues(
        session,
        today=today,
        calendar=calendar,
        zone=rewording.zone,
        only={due_item_id for due_item_id, _ in steps},
    )
    dues = {due.due_item_id: due for due in listed}
    entries = [
        Entry(dues[due_item_id], step, _acting_for(dues[due_item_id], row.person_id))
        for due_item_id, step in steps
        if due_item_id in dues
    ]
    entries.sort(
        key=lambda e: (e.due.effective, e.due.item_code, e.due.due_item_id, e.step != PROMPT)
    )
    text, markup = rewording.render(
        Outgoing(recipient, rewording.rules, entries), today=today, directory=directory
    )
    return Reworded(text, markup)


def _acting_for(due: Due, person_id: int) -> int | None:
    """Whose item it is when the recipient is not its holder (they act for them on leave)."""
    return due.holder_id if due.holder_id not in (None, person_id) else None


async def _steps(
    session: AsyncSession, key: str, due_item_ids: list[int], today: date
) -> list[tuple[int, str]]:
    """The ladder steps this message carries for these items: the steps written with its key,
    and those of the same run written with another holder's key (a 单位班子 item goes to every
    第一责任人 of the unit; its step names the first message)."""
    rows = await session.exec(
        select(col(ReminderStep.due_item_id), col(ReminderStep.step)).where(
            col(ReminderStep.due_item_id).in_(due_item_ids),
            or_(
                col(ReminderStep.outbox_key) == key,
                and_(
                    col(ReminderStep.sent_on) == today,
                    col(ReminderStep.outbox_key).startswith(f"{HOLDER}:"),
                ),
            ),
        )
    )
    return sorted(set(rows.all()))
