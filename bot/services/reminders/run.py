"""The reminder run: as of `now`, every ladder step due becomes part of one outbox message per person.

All of a run is written in one transaction: the ReminderStep rows (unique per due item and
step: the ladder's memory) and the outbox rows. A second run for the same instant, or a run
racing another worker, finds the steps already taken and adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import effective_due, local_date
from bot.services.directory.recipients import Directory, Recipient, load_directory
from bot.services.ledger.outstanding import is_outstanding
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.reminders.ladder import (
    PROMPT,
    SECRETARY,
    Calendar,
    LadderRules,
    Step,
    escalations_due,
    holder_step_due,
    next_window,
    prompt_day,
    sending_window,
)
from storage.models import DueItem, Holding, Item, ReminderStep, ReplyKind


@dataclass(frozen=True)
class Due:
    """One open due item as the run sees it."""

    due_item_id: int
    item_code: str
    content: str
    period_key: str
    period_start: date
    period_end: date
    nominal: date
    effective: date
    system: str | None
    unit_id: int
    holder_id: int | None  # None: the unit's 单位班子


@dataclass(frozen=True)
class Entry:
    """One due item in one message, at one step."""

    due: Due
    step: str
    for_person: int | None  # whose item it is when the recipient acts for them (leave)


@dataclass
class Outgoing:
    """Everything one recipient gets in this run, by kind of message."""

    recipient: Recipient
    kind: str
    entries: list[Entry] = field(default_factory=list)


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
    dues = await _open_dues(session, today=today, calendar=calendar)
    sent = await _sent_steps(session, [d.due_item_id for d in dues])
    directory = await load_directory(session, today=today)
    outgoing: dict[tuple[int, str], Outgoing] = {}
    chosen: list[tuple[Due, str, list[Recipient], int | None]] = []
    for due in dues:
        for step, people, acting_for in _steps_for(due, today, calendar, rules, sent, directory):
            chosen.append((due, step, people, acting_for))
    for due, step, people, acting_for in chosen:
        for person in people:
            kind = _kind(step, rules)
            box = outgoing.setdefault((person.person_id, kind), Outgoing(person, kind))
            box.entries.append(Entry(due, step, acting_for))
    _report_undeliverable(outgoing, directory)
    messages: list[OutboxMessage] = []
    keys: dict[tuple[int, str], str] = {}
    window = next_window(rules, now=now, zone=zone, calendar=calendar)
    for (person_id, kind), box in sorted(outgoing.items(), key=lambda kv: kv[0]):
        if not _reachable(box.recipient):
            continue
        key = _key(kind, person_id, today, box.entries)
        keys[(person_id, kind)] = key
        text, markup = render(box, today=today, directory=directory)
        messages.append(
            OutboxMessage(
                dedupe_key=key,
                chat_id=_chat(box.recipient),
                person_id=person_id,
                text=text,
                reply_markup=markup,
                not_before=window,
                kind=kind,
                priority=3 if kind == "reminder" else 4,
                invites=_invites(box, person_id),
            )
        )
    taken: list[tuple[Due, str, str]] = []
    for due, step, people, _acting_for in chosen:
        kind = _kind(step, rules)
        reached = [keys[(p.person_id, kind)] for p in people if (p.person_id, kind) in keys]
        taken.append((due, step, reached[0] if reached else "undeliverable"))
    unreachable = sorted(
        {box.recipient.name for box in outgoing.values() if not _reachable(box.recipient)}
    )
    session.add_all(
        ReminderStep(
            due_item_id=due.due_item_id, step=step, sent_on=today, outbox_key=key, created_at=now
        )
        for due, step, key in taken
    )
    try:
        await enqueue(session, messages=messages, now=now)
        await session.commit()
    except IntegrityError:
        await session.rollback()  # another run took these steps first: it sends them
        return RunReport(in_window=True, raced=True)
    return RunReport(True, len(messages), len(taken), tuple(unreachable))


def _reachable(person: Recipient) -> bool:
    return person.telegram_id is not None and not person.unreachable


def _chat(person: Recipient) -> int:
    assert person.telegram_id is not None
    return person.telegram_id


def _report_undeliverable(outgoing: dict[tuple[int, str], Outgoing], directory: Directory) -> None:
    """A holder the bot cannot reach (never bound, or blocked the bot) is named in their 联络员's
    digest of this run, once per step; the steps count as taken, so nothing is retried forever."""
    for box in list(outgoing.values()):
        if box.kind != "reminder" or _reachable(box.recipient):
            continue
        for secretary in directory.secretaries(box.recipient.unit_id):
            digest = outgoing.setdefault(
                (secretary.person_id, "digest"), Outgoing(secretary, "digest")
            )
            digest.entries.extend(Entry(e.due, "U", e.for_person) for e in box.entries[:1])


def _invites(box: Outgoing, person_id: int) -> Invites | None:
    """A reply to a holder's reminder is about the due items it names (see services.replies);
    digests and escalations take no reply."""
    if box.kind != "reminder":
        return None
    items = tuple(dict.fromkeys(entry.due.due_item_id for entry in box.entries))
    return Invites(ReplyKind.REMINDER, person_id, items)


def _kind(step: str, rules: LadderRules) -> str:
    for rung in rules.steps:
        if rung.name == step and rung.audience != "holder":
            return "escalation" if rung.audience != SECRETARY else "digest"
    return "reminder"


def _steps_for(
    due: Due,
    today: date,
    calendar: Calendar,
    rules: LadderRules,
    sent: dict[int, set[str]],
    directory: Directory,
) -> list[tuple[str, list[Recipient], int | None]]:
    done = sent.get(due.due_item_id, set())
    found: list[tuple[str, list[Recipient], int | None]] = []
    holders, acting_for = directory.holders(due.unit_id, due.holder_id)
    away = due.holder_id is not None and directory.on_leave(due.holder_id)
    if due.system and PROMPT not in done:
        day = prompt_day(
            rules,
            system=due.system,
            period_start=due.period_start,
            period_end=due.period_end,
            calendar=calendar,
        )
        if day <= today <= due.effective and holders:
            found.append((PROMPT, holders, acting_for))
    step: Step | None = holder_step_due(
        rules, due=due.effective, today=today, calendar=calendar, sent=done
    )
    if step is not None and holders:
        found.append((step.name, holders, acting_for))
    if not away:  # the ladder does not escalate a person on leave
        for rung in escalations_due(
            rules, due=due.effective, today=today, calendar=calendar, sent=done
        ):
            people = (
                directory.secretaries(due.unit_id)
                if rung.audience == SECRETARY
                else directory.admins()
            )
            found.append((rung.name, people, None))
    return found


def _key(kind: str, person_id: int, today: date, entries: list[Entry]) -> str:
    names = ",".join(sorted(f"{e.due.due_item_id}:{e.step}" for e in entries))
    digest = hashlib.sha1(names.encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{kind}:{person_id}:{today.isoformat()}:{digest}"


async def _open_dues(session: AsyncSession, *, today: date, calendar: Calendar) -> list[Due]:
    rows = (
        await session.exec(
            select(DueItem, Holding, Item)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(is_outstanding(today))
        )
    ).all()
    found = []
    for due, holding, item in rows:
        assert due.id is not None
        found.append(
            Due(
                due_item_id=due.id,
                item_code=item.code,
                content=item.content,
                period_key=due.period_key,
                period_start=due.period_start,
                period_end=due.period_end,
                nominal=due.due_date,
                effective=effective_due(due.due_date, calendar=calendar).effective,
                system=item.system,
                unit_id=holding.unit_id,
                holder_id=holding.person_id,
            )
        )
    found.sort(key=lambda d: (d.effective, d.item_code, d.due_item_id))
    return found


async def _sent_steps(session: AsyncSession, ids: list[int]) -> dict[int, set[str]]:
    sent: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), 500):
        rows = await session.exec(
            select(col(ReminderStep.due_item_id), col(ReminderStep.step)).where(
                col(ReminderStep.due_item_id).in_(ids[start : start + 500])
            )
        )
        for due_item_id, step in rows.all():
            sent[due_item_id].add(step)
    return sent
