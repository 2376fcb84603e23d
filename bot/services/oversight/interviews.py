"""约谈提醒: who is past the ladder's admin escalation (+10 working days), and a formal notice to each."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.calendar.workdays import load_calendar
from bot.services.directory.naming import namesakes_apart
from bot.services.directory.recipients import acting_today, load_directory
from bot.services.ledger.outstanding import OutstandingItem, outstanding
from bot.services.notices.broadcast import PRIORITY, AckMarkup
from bot.services.outbox import OutboxMessage, enqueue
from storage.models import (
    AuditEntry,
    DraftState,
    DueItem,
    Holding,
    Leave,
    Notice,
    NoticeReceipt,
    Outbox,
)

KIND = "formal"


@dataclass
class Case:
    """One person to be reminded formally: their unit and the items long overdue."""

    person_id: int
    name: str
    unit_name: str
    telegram_id: int | None
    items: list[OutstandingItem] = field(default_factory=list)

    @property
    def worst(self) -> int:
        return max(item.days_overdue for item in self.items)


async def cases(
    session: AsyncSession, *, now: datetime, zone: ZoneInfo, escalate_admin: int
) -> list[Case]:
    """People whose outstanding items reached the admin escalation step (`escalate_admin` working
    days after the effective due date); a 单位班子 item counts against the unit's 第一责任人."""
    today = local_date(now, zone)
    calendar = await load_calendar(session)
    late = [
        item
        for item in await outstanding(session, now=now, zone=zone, calendar=calendar)
        if calendar.add_working_days(item.due, escalate_admin) <= today
    ]
    if not late:
        return []
    holders = dict(
        (
            await session.exec(
                select(DueItem.id, Holding.person_id)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .where(col(DueItem.id).in_([item.due_item_id for item in late]))
            )
        ).all()
    )
    directory = await load_directory(session, today=today)
    found: dict[int, Case] = {}
    for item in late:
        holder = holders.get(item.due_item_id)
        if holder is None:
            firsts = directory.team_owners(item.unit_id)
            holder = firsts[0].person_id if firsts else None
        person = directory.people.get(holder) if holder is not None else None
        if person is None or directory.on_leave(person.person_id):
            continue  # away: the ladder waits for their return, so does the 约谈提醒
        case = found.setdefault(
            person.person_id,
            Case(
                person.person_id,
                person.name,
                directory.units.get(person.unit_id, ""),
                person.telegram_id,
            ),
        )
        case.items.append(item)
    labels = await namesakes_apart(  # two of one name in a unit: 名（职务）, two buttons apart
        session,
        holders=((directory.people[i].unit_id, i, c.name) for i, c in found.items()),
    )
    for person_id, label in labels.items():
        found[person_id].name = label
    return sorted(found.values(), key=lambda c: (-c.worst, c.unit_name, c.name))


def digest(chosen: list[Case]) -> str:
    """A short fingerprint of exactly who is listed: a confirmation carries it, so 确认 sends
    only to the people the question named (another list, even of the same size, is asked again)."""
    ids = ",".join(str(pid) for pid in sorted(c.person_id for c in chosen))
    return hashlib.sha256(ids.encode()).hexdigest()[:12]


def _key(person_id: int, today: date) -> str:
    return f"interview:{person_id}:{today.isoformat()}"


async def sent_today(session: AsyncSession, *, chosen: list[Case], today: date) -> set[int]:
    """Who of `chosen` already got a 约谈提醒 today (at most one a day each)."""
    keys = {_key(c.person_id, today): c.person_id for c in chosen}
    if not keys:
        return set()
    found = await session.exec(select(Outbox.dedupe_key).where(col(Outbox.dedupe_key).in_(keys)))
    return {keys[key] for key in found.all()}


async def away_until(session: AsyncSession, *, person_id: int, today: date) -> date | None:
    """The last day of the leave `person_id` is on today, or None when not away."""
    ends = await session.exec(
        select(Leave).where(
            col(Leave.person_id) == person_id,
            col(Leave.cancelled_at).is_(None),
            col(Leave.starts_on) <= today,
            col(Leave.ends_on) >= today,
        )
    )
    return max((leave.ends_on for leave in ends.all()), default=None)


@dataclass(frozen=True)
class Outcome:
    """What one press did: reminded now, reminded earlier today, or cannot be reached (unbound)."""

    sent: list[Case]
    earlier: list[Case]
    unbound: list[Case]
    away: list[Case] = field(default_factory=list)  # on leave since the list was shown


async def remind(
    session: AsyncSession,
    *,
    chosen: list[Case],
    actor_id: int,
    now: datetime,
    zone: ZoneInfo,
    render: Callable[[Case, date], str],
    ack_markup: AckMarkup,
    window: SendingWindow | None = None,
) -> Outcome:
    """A formal notice (kind 'formal') to each chosen person, at most once a day each, audited.

    The outbox row `interview:{person}:{day}` is written first (ON CONFLICT DO NOTHING): only the
    caller that inserted it goes on to write the notice, receipt and audit entry, then fills in
    the row's text and 已阅 button — in one transaction, so the sender never sees it half made.
    """
    today = local_date(now, zone)
    sent: list[Case] = []
    earlier: list[Case] = []
    unbound: list[Case] = []
    not_before = await bulk_not_before(session, window=window, now=now)
    on_leave = await acting_today(session, today=today)
    away: list[Case] = []
    for case in chosen:
        if case.person_id in on_leave:
            away.append(case)
            continue
        if case.telegram_id is None:
            unbound.append(case)
            continue
        key = _key(case.person_id, today)
        placeholder = OutboxMessage(
            dedupe_key=key,
            chat_id=case.telegram_id,
            person_id=case.person_id,
            text="",
            not_before=not_before,
            kind="notice",
            priority=PRIORITY,
        )
        if not await enqueue(session, messages=[placeholder], now=now):
            earlier.append(case)
            continue
        text = render(case, today)
        notice = Notice(
            author_id=actor_id,
            text=text,
            audience=f"person:{case.person_id}",
            created_at=now,
            kind=KIND,
            state=DraftState.SUBMITTED,
            sent_at=now,
        )
        session.add(notice)
        await session.flush()
        assert notice.id is not None
        outbox_id = (
            await session.exec(select(Outbox.id).where(col(Outbox.dedupe_key) == key))
        ).one()
        receipt = NoticeReceipt(notice_id=notice.id, person_id=case.person_id, outbox_id=outbox_id)
        session.add(receipt)
        await session.flush()
        assert receipt.id is not None
        await session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id)
            .values(text=text, reply_markup=ack_markup(receipt.id))
        )
        detail = {
            "person_id": case.person_id,
            "notice_id": notice.id,
            "items": [item.item_code for item in case.items],
            "days_overdue": case.worst,
        }
        session.add(
            AuditEntry(
                at=now,
                actor_person_id=actor_id,
                action="interview.remind",
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
            )
        )
        sent.append(case)
    await session.flush()
    return Outcome(sent, earlier, unbound, away)
