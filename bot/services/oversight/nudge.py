"""/nudge: remind a unit's people of their outstanding items, at most once per person per day."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.directory.identity import Viewer
from bot.services.directory.recipients import Directory, load_directory
from bot.services.ledger.builtin import RESERVED_CODES
from bot.services.ledger.outstanding import OutstandingItem
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.oversight.pending import Pending, UnitRef, unit_pending
from storage.models import AuditEntry, ReplyKind

KIND = "nudge"


class Sent(StrEnum):
    """What became of one person's reminder."""

    SENT = "sent"  # queued now
    ALREADY = "already"  # someone reminded them today already
    UNREACHABLE = "unreachable"  # blocked the bot (Telegram 403)
    UNBOUND = "unbound"  # no Telegram account bound
    ON_LEAVE = "on_leave"  # away, and nobody acts for them


@dataclass(frozen=True)
class Target:
    """A person to remind and their outstanding items (a 单位班子's go to its 第一责任人)."""

    person_id: int
    name: str
    items: list[OutstandingItem] = field(default_factory=list)


@dataclass(frozen=True)
class Letter:
    """One reminder to render: to whom it goes, about whom, which items."""

    target: Target
    to_name: str
    acting: bool  # the holder is on leave: the acting person gets it
    unit_name: str
    sender_name: str


@dataclass(frozen=True)
class Outcome:
    """One person's result, for the secretary's reply."""

    name: str
    sent: Sent
    items: int
    acting_name: str | None = None


def targets(pending: Pending, directory: Directory) -> list[Target]:
    """Whom /nudge can remind in this unit, in the list's order; 单位班子 items join the
    unit's 第一责任人 (or 联络员 when it has none), as the reminders send them."""
    found: dict[int, Target] = {}
    for group in pending.groups:
        if group.person_id is not None:
            receivers = [group.person_id]
        else:
            owners = directory.team_owners(pending.unit.unit_id)
            receivers = [person.person_id for person in owners]
        for person_id in receivers:
            own = group.person_id is not None  # its label tells namesakes apart
            label = group.holder if own else directory.name(person_id) or group.holder
            target = found.setdefault(person_id, Target(person_id, label))
            target.items.extend(group.items)
    return list(found.values())


async def nudge(
    session: AsyncSession,
    *,
    actor: Viewer,
    unit: UnitRef,
    person_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    render: Callable[[Letter], str],
    window: SendingWindow | None = None,
) -> list[Outcome]:
    """Queue a reminder for everyone with outstanding items (or one person) in the unit.

    At most once per person per day: the outbox's unique key nudge:{person}:{local date}
    decides, not a read first. Each queued reminder is audited. No commit (the update's).
    """
    today = local_date(now, zone)
    directory = await load_directory(session, today=today)
    pending = await unit_pending(session, unit=unit, now=now, zone=zone)
    chosen = [t for t in targets(pending, directory) if person_id in (None, t.person_id)]
    not_before = await bulk_not_before(session, window=window, now=now)
    outcomes = []
    for target in chosen:
        reach = directory.person(target.person_id)
        acting = reach.for_person is not None
        if acting:  # 季度自查 and 半年报告 are personal: they wait for the holder's return
            target = Target(
                target.person_id,
                target.name,
                [i for i in target.items if i.item_code not in RESERVED_CODES],
            )
        if not reach.receivers or not target.items:
            outcomes.append(Outcome(target.name, Sent.ON_LEAVE, len(target.items)))
            continue
        receiver = reach.receivers[0]
        acting_name = receiver.name if acting else None
        if receiver.telegram_id is None or receiver.unreachable:
            sent = Sent.UNBOUND if receiver.telegram_id is None else Sent.UNREACHABLE
            outcomes.append(Outcome(target.name, sent, len(target.items), acting_name))
            continue
        letter = Letter(target, receiver.name, acting, unit.name, actor.name)
        message = OutboxMessage(
            dedupe_key=f"{KIND}:{target.person_id}:{today.isoformat()}",
            chat_id=receiver.telegram_id,
            person_id=receiver.person_id,
            text=render(letter),
            not_before=not_before,
            kind=KIND,
            invites=Invites(
                ReplyKind.NUDGE,
                receiver.person_id,
                tuple(dict.fromkeys(item.due_item_id for item in target.items)),
            ),
        )
        added = await enqueue(session, messages=[message], now=now)
        if added:
            _audit(session, actor, unit, target, receiver.person_id, now)
        sent = Sent.SENT if added else Sent.ALREADY
        outcomes.append(Outcome(target.name, sent, len(target.items), acting_name))
    return outcomes


def _audit(
    session: AsyncSession,
    actor: Viewer,
    unit: UnitRef,
    target: Target,
    receiver_id: int,
    now: datetime,
) -> None:
    detail = {
        "unit": unit.code,
        "person_id": target.person_id,
        "to_person_id": receiver_id,
        "items": sorted({item.item_code for item in target.items}),
    }
    session.add(
        AuditEntry(
            at=now,
            actor_person_id=actor.person_id,
            action="nudge",
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )
