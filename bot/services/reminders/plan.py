"""A reminder run's plan, worked out without I/O (in a worker thread): who gets which message, and
the transaction groups it is written in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.services.directory.recipients import Directory, Recipient
from bot.services.outbox import Invites, OutboxMessage
from bot.services.reminders.ladder import Calendar, LadderRules
from bot.services.reminders.selection import (
    DIGEST,
    ESCALATION,
    REMINDER,
    UNDELIVERED,
    Chosen,
    Due,
    Entry,
    steps_for,
)
from bot.services.reminders.undelivered import LOST, MOOT, Failed
from storage.models import ReplyKind, Role

UNITS_PER_GROUP = 20  # units written per transaction (by unit id: the same groups in every run)
ADMINS = -1  # the group of the admins' messages (every unit's 约谈提醒 lines)
REST = -2  # steps that reached nobody and told nobody, and settled refusals


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


class RenderFn(Protocol):
    """How a message is worded and which buttons it carries (bot.texts.reminders supplies it)."""

    def __call__(
        self, outgoing: Outgoing, *, today: date, directory: Directory
    ) -> tuple[str, str | None]: ...


@dataclass
class Group:
    """What one transaction writes: some people's messages, the steps they carry, and refused
    steps now told (step ids by the key of the message that tells of them)."""

    messages: list[OutboxMessage] = field(default_factory=list)
    steps: list[tuple[int, str, str]] = field(default_factory=list)  # due item, step, key
    pointers: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Plan:
    """A run's groups, in the order they are written, and what it names in its report."""

    groups: list[Group]
    unreachable: tuple[str, ...]


def make_plan(
    dues: list[Due],
    sent: dict[int, set[str]],
    failed: list[Failed],
    directory: Directory,
    *,
    today: date,
    calendar: Calendar,
    rules: LadderRules,
    render: RenderFn,
    window: datetime,
) -> Plan:
    """Every step due today, in one message per person, grouped by the receivers' units (twenty
    units a group, by unit id; the admins together): a group is written at once or not at all,
    so a run killed halfway leaves whole units done and the next run does the rest; two runs
    cut the same groups, so a group the other run wrote first fails whole on its steps."""
    chosen: list[Chosen] = []
    for due in dues:  # by due date and code (open_dues)
        chosen.extend(steps_for(due, today, calendar, rules, sent[due.due_item_id], directory))
    outgoing: dict[int, Outgoing] = {}
    for pick in chosen:
        for person in pick.people:
            box = outgoing.setdefault(person.person_id, Outgoing(person, rules))
            box.entries.append(Entry(pick.due, pick.step, pick.for_person))
    missed = _undelivered(chosen, outgoing, directory, rules)
    by_id = {d.due_item_id: d for d in dues}
    told_failed: dict[int, tuple[int, ...]] = {}  # step id → who was told
    for one in failed:
        if one.due_item_id in by_id:  # else done or closed since: nothing to tell
            due = by_id[one.due_item_id]
            own = one.kind != REMINDER or due.holder_id in (None, one.person_id)
            stood_in = None if own else due.holder_id  # a stand-in's reminder, refused
            entry = Entry(due, UNDELIVERED, stood_in, missed=one.person_id)
            oversees = one.kind != REMINDER or _oversees(one.person_id, directory)
            told_failed[one.step_id] = _tell(entry, oversees, outgoing, directory, rules)
    groups: dict[int, Group] = {}
    keys: dict[int, str] = {}
    for person_id, box in sorted(outgoing.items()):
        if not _reachable(box.recipient):
            continue
        key = keys[person_id] = _key(box.kind, person_id, today, box.entries)
        text, markup = render(box, today=today, directory=directory)
        group = groups.setdefault(_group_of(box.recipient, directory), Group())
        group.messages.append(
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
    for pick in chosen:
        reached = [p.person_id for p in pick.people if p.person_id in keys]
        told = [p for p in missed.get((pick.due.due_item_id, pick.step), ()) if p in keys]
        candidates: list[int | None] = [*reached, *told, None]
        first = candidates[0]
        group = groups.setdefault(_group(first, directory), Group())
        group.steps.append((pick.due.due_item_id, pick.step, keys[first] if first else LOST))
    for one in failed:
        receivers = [p for p in told_failed.get(one.step_id, ()) if p in keys]
        key = keys[receivers[0]] if receivers else MOOT if one.step_id not in told_failed else LOST
        group = groups.setdefault(_group(receivers[0] if receivers else None, directory), Group())
        group.pointers.setdefault(key, []).append(one.step_id)
    unreachable = sorted(
        {b.recipient.name for b in outgoing.values() if not _reachable(b.recipient)}
    )
    ordered = [groups[k] for k in sorted(groups) if k >= 0] + [
        groups[k] for k in (ADMINS, REST) if k in groups
    ]
    return Plan(ordered, tuple(unreachable))


def _group(person_id: int | None, directory: Directory) -> int:
    if person_id is None or person_id not in directory.people:
        return REST
    return _group_of(directory.people[person_id], directory)


def _group_of(person: Recipient, directory: Directory) -> int:
    if Role.ADMIN in directory.roles[person.person_id]:
        return ADMINS
    return person.unit_id // UNITS_PER_GROUP


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
            told[(pick.due.due_item_id, pick.step)] = _tell(
                entry, _oversees(person.person_id, directory), outgoing, directory, rules
            )
    return told


def _oversees(person_id: int | None, directory: Directory) -> bool:
    """A 联络员 or an admin: one they could not be reached is told to the admins."""
    roles = directory.roles.get(person_id, set()) if person_id is not None else set()
    return Role.SECRETARY in roles or Role.ADMIN in roles


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


def _invites(box: Outgoing, person_id: int) -> Invites | None:
    """A reply to a message with reminders is about the due items they name (see
    services.replies); a digest or an escalation alone takes no reply."""
    items = tuple(dict.fromkeys(entry.due.due_item_id for entry in box.part(REMINDER)))
    return Invites(ReplyKind.REMINDER, person_id, items) if items else None


def _key(kind: str, person_id: int, today: date, entries: list[Entry]) -> str:
    names = ",".join(sorted(f"{e.due.due_item_id}:{e.step}:{e.missed}" for e in entries))
    digest = hashlib.sha1(names.encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{kind}:{person_id}:{today.isoformat()}:{digest}"
