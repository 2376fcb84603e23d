"""The reminder run: as of `now`, every ladder step due becomes part of one outbox message per person.

All of a run is written in one transaction: the ReminderStep rows (unique per due item and
step: the ladder's memory) and the outbox rows. A second run for the same instant, or a run
racing another worker, finds the steps already taken and adds nothing. Each person gets one
message per run: their own reminders first, then (a 联络员) the unit's digest, then (an admin)
the 约谈提醒 list. A step that reached nobody (unbound, blocked, or refused for good by Telegram
after an earlier run) is named in the digest of the item's unit, or to the admins when the one
not reached is that unit's 联络员.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.recipients import Directory, Recipient, load_directory
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.reminders.ladder import Calendar, LadderRules, next_window, sending_window
from bot.services.reminders.selection import (
    DIGEST,
    ESCALATION,
    REMINDER,
    UNDELIVERED,
    Chosen,
    Due,
    Entry,
    open_dues,
    sent_steps,
    steps_for,
)
from bot.services.reminders.undelivered import LOST, MOOT, Failed, failed_steps, point
from storage.models import ReminderStep, ReplyKind, Role

__all__ = ["Due", "Entry", "Outgoing", "RenderFn", "RunReport", "run_reminders"]


@dataclass
class Outgoing:
    """Everything one recipient gets in this run."""

    recipient: Recipient
    rules: LadderRules
    entries: list[Entry] = field(default_factory=list)

    def part(self, kind: str) -> list[Entry]:
        """The entries of one kind: reminder, digest or escalation."""
        return [e for e in self.entries if e.kind(self.rules) == kind]

    @property
    def kind(self) -> str:
        """The outbox kind: reminder when it is only the person's own reminders."""
        kinds = {e.kind(self.rules) for e in self.entries}
        if kinds == {REMINDER}:
            return REMINDER
        return DIGEST if DIGEST in kinds or REMINDER in kinds else ESCALATION


@dataclass(frozen=True)
class RunReport:
    """What one run did."""

    in_window: bool
    messages: int = 0
    steps: int = 0
    unreachable: tuple[str, ...] = ()
    raced: bool = False


class RenderFn(Protocol):
    """How a message is worded and which buttons it carries (bot.texts.reminders supplies it)."""

    def __call__(
        self, outgoing: Outgoing, *, today: date, directory: Directory
    ) -> tuple[str, str | None]: ...


async def run_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar,
    rules: LadderRules,
    render: RenderFn,
) -> RunReport:
    """Select every step due as of `now` and enqueue its messages; commit once (or not at all)."""
    if not sending_window(rules, now=now, zone=zone, calendar=calendar):
        return RunReport(in_window=False)
    today = local_date(now, zone)
    dues = await open_dues(session, today=today, calendar=calendar, zone=zone)
    sent = await sent_steps(session, [d.due_item_id for d in dues])
    directory = await load_directory(session, today=today)
    chosen: list[Chosen] = []
    for due in dues:
        chosen.extend(steps_for(due, today, calendar, rules, sent[due.due_item_id], directory))
    outgoing: dict[int, Outgoing] = {}
    for pick in chosen:
        for person in pick.people:
            box = outgoing.setdefault(person.person_id, Outgoing(person, rules))
            box.entries.append(Entry(pick.due, pick.step, pick.for_person))
    missed = _undelivered(chosen, outgoing, directory, rules)
    failed = await failed_steps(session)
    by_id = {d.due_item_id: d for d in dues}
    told_failed: dict[int, tuple[int, ...]] = {}  # step id → who was told
    for one in failed:
        if one.due_item_id not in by_id:
            continue  # done or closed since: nothing to tell
        was_secretary = one.kind != REMINDER
        entry = Entry(by_id[one.due_item_id], UNDELIVERED, missed=one.person_id)
        told_failed[one.step_id] = _tell(entry, was_secretary, outgoing, directory, rules)
    messages: list[OutboxMessage] = []
    keys: dict[int, str] = {}
    window = next_window(rules, now=now, zone=zone, calendar=calendar)
    for person_id, box in sorted(outgoing.items()):
        if not _reachable(box.recipient):
            continue
        key = _key(box.kind, person_id, today, box.entries)
        keys[person_id] = key
        text, markup = render(box, today=today, directory=directory)
        messages.append(
            OutboxMessage(
                dedupe_key=key,
                chat_id=_chat(box.recipient),
                person_id=person_id,
                text=text,
                reply_markup=markup,
                not_before=window,
                kind=box.kind,
                priority=3 if box.part(REMINDER) else 4,
                invites=_invites(box, person_id),
            )
        )
    taken = []
    for pick in chosen:
        reached = [keys[p.person_id] for p in pick.people if p.person_id in keys]
        told = [keys[p] for p in missed.get((pick.due.due_item_id, pick.step), ()) if p in keys]
        taken.append((pick.due, pick.step, (reached or told or [LOST])[0]))
    try:
        await _take(session, taken, today, now)
        await _point_failed(session, failed, told_failed, keys)
        await enqueue(session, messages=messages, now=now)
        await session.commit()
    except IntegrityError:
        await session.rollback()  # another run took these steps first: it sends them
        return RunReport(in_window=True, raced=True)
    unreachable = sorted(
        {b.recipient.name for b in outgoing.values() if not _reachable(b.recipient)}
    )
    return RunReport(True, len(messages), len(taken), tuple(unreachable))


async def _take(
    session: AsyncSession, taken: list[tuple[Due, str, str]], today: date, now: datetime
) -> None:
    """The ReminderStep rows, by plain INSERT in chunks (unique per due item and step: a run
    racing another fails here and adds nothing)."""
    rows = [
        {
            "due_item_id": due.due_item_id,
            "step": step,
            "sent_on": today,
            "outbox_key": key,
            "created_at": now,
        }
        for due, step, key in taken
    ]
    for start in range(0, len(rows), 1000):
        await session.exec(insert(ReminderStep).values(rows[start : start + 1000]))


def _reachable(person: Recipient) -> bool:
    return person.telegram_id is not None and not person.unreachable


def _chat(person: Recipient) -> int:
    assert person.telegram_id is not None
    return person.telegram_id


def _undelivered(
    chosen: list[Chosen], outgoing: dict[int, Outgoing], directory: Directory, rules: LadderRules
) -> dict[tuple[int, str], tuple[int, ...]]:
    """Each step a receiver cannot get (never bound, or blocked the bot) is named to whoever is told
    (see `_tell`), once per item; returns who was told of each (due item, step)."""
    told: dict[tuple[int, str], tuple[int, ...]] = {}
    for pick in chosen:
        for person in pick.people:
            if _reachable(person):
                continue
            entry = Entry(pick.due, UNDELIVERED, pick.for_person, missed=person.person_id)
            secretary = Role.SECRETARY in directory.roles[person.person_id]
            people = _tell(entry, secretary, outgoing, directory, rules)
            told[(pick.due.due_item_id, pick.step)] = people
    return told


def _tell(
    entry: Entry,
    to_admins: bool,
    outgoing: dict[int, Outgoing],
    directory: Directory,
    rules: LadderRules,
) -> tuple[int, ...]:
    """Add an undelivered line to the item's unit's 联络员 (the admins when the one not reached is
    a 联络员, or the unit has none reachable); returns who gets it."""
    people = [] if to_admins else directory.secretaries(entry.due.unit_id)
    people = [p for p in people if _reachable(p) and p.person_id != entry.missed]
    if not people:
        people = [p for p in directory.admins() if _reachable(p) and p.person_id != entry.missed]
    for person in people:
        box = outgoing.setdefault(person.person_id, Outgoing(person, rules))
        if not any(e.step == UNDELIVERED and e.due == entry.due for e in box.entries):
            box.entries.append(entry)
    return tuple(p.person_id for p in people)


async def _point_failed(
    session: AsyncSession,
    failed: list[Failed],
    told: dict[int, tuple[int, ...]],
    keys: dict[int, str],
) -> None:
    """Steps refused for good earlier now point at the message that tells of them (or MOOT when
    the item is done, LOST when nobody can be told): each is told once."""
    groups: dict[str, list[int]] = {}
    for one in failed:
        step_id = one.step_id
        if step_id not in told:
            groups.setdefault(MOOT, []).append(step_id)
            continue
        receivers = [keys[p] for p in told[step_id] if p in keys]
        groups.setdefault(receivers[0] if receivers else LOST, []).append(step_id)
    for key, ids in groups.items():
        await point(session, step_ids=ids, key=key)


def _invites(box: Outgoing, person_id: int) -> Invites | None:
    """A reply to a message with reminders is about the due items they name (see
    services.replies); a digest or an escalation alone takes no reply."""
    items = tuple(dict.fromkeys(entry.due.due_item_id for entry in box.part(REMINDER)))
    return Invites(ReplyKind.REMINDER, person_id, items) if items else None


def _key(kind: str, person_id: int, today: date, entries: list[Entry]) -> str:
    names = ",".join(sorted(f"{e.due.due_item_id}:{e.step}:{e.missed}" for e in entries))
    digest = hashlib.sha1(names.encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{kind}:{person_id}:{today.isoformat()}:{digest}"
