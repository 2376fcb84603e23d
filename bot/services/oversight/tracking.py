"""交办事项跟踪 (/assigned): every assigned task with its holder, deadline and state; a reminder by the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import effective_due, local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.ledger.outstanding import due_item_rows, live_record
from bot.services.outbox import OutboxMessage, enqueue
from bot.services.oversight.assign import SOURCE_MARK, assigned_items
from storage.models import DueItem, Holding, Person, Record, Unit

PAGE = 8  # tasks per page of /assigned


class State(StrEnum):
    """Where an assigned task stands today."""

    OVERDUE = "overdue"
    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


ORDER = {State.OVERDUE: 0, State.OPEN: 1, State.DONE: 2, State.CLOSED: 3}


@dataclass(frozen=True)
class Tracked:
    """One assigned task's due item as /assigned lists it."""

    due_item_id: int
    item_code: str
    content: str
    source: str
    unit_name: str
    holder_id: int
    holder_name: str
    holder_code: str
    telegram_id: int | None
    due: date  # effective (顺延 applied)
    nominal: date
    state: State
    days: int  # days left (open) or overdue (overdue)
    done_on: date | None
    active: bool  # the item and holding are still active

    @property
    def open(self) -> bool:
        return self.state in (State.OPEN, State.OVERDUE) and self.active


async def tracked(
    session: AsyncSession, *, now: datetime, zone: ZoneInfo, due_item_id: int | None = None
) -> list[Tracked]:
    """Every assigned task (or the one due item), open ones first, overdue first, then by due date."""
    today = local_date(now, zone)
    calendar = await load_calendar(session)
    query = due_item_rows().where(assigned_items(), col(Holding.person_id).is_not(None))
    if due_item_id is not None:
        query = query.where(col(DueItem.id) == due_item_id)
    rows = (await session.exec(query)).all()
    ids = [due.id for due, _h, _i, _n in rows]
    done = dict(
        (
            await session.exec(
                select(col(Record.due_item_id), func.min(col(Record.happened_on)))
                .where(col(Record.due_item_id).in_(ids), live_record())
                .group_by(col(Record.due_item_id))
            )
        ).all()
    )
    people = {
        p.id: (p, unit_name)
        for p, unit_name in (
            await session.exec(
                select(Person, col(Unit.name))
                .join(Unit, col(Unit.id) == col(Person.unit_id))
                .where(col(Person.id).in_([h.person_id for _d, h, _i, _n in rows]))
            )
        ).all()
    }
    found = []
    for due, holding, item, _name in rows:
        assert due.id is not None and holding.person_id is not None
        person, unit_name = people[holding.person_id]
        when = effective_due(due.due_date, calendar=calendar)
        done_on = done.get(due.id)
        state = (
            State.DONE
            if done_on is not None
            else State.CLOSED
            if due.closed_at is not None
            else State.OVERDUE
            if today > when.effective
            else State.OPEN
        )
        found.append(
            Tracked(
                due_item_id=due.id,
                item_code=item.code,
                content=item.content,
                source=item.measures.removeprefix(SOURCE_MARK),
                unit_name=unit_name,
                holder_id=holding.person_id,
                holder_name=person.name,
                holder_code=person.code,
                telegram_id=person.telegram_id,
                due=when.effective,
                nominal=when.nominal,
                state=state,
                days=abs((when.effective - today).days),
                done_on=done_on,
                active=holding.active and item.active,
            )
        )
    found.sort(key=lambda t: (not t.active, ORDER[t.state], t.due, t.item_code))
    return found


def page_of(tasks: list[Tracked], page: int) -> tuple[list[Tracked], int, int]:
    """(the tasks on `page`, clamped page number, page count)."""
    pages = max(1, -(-len(tasks) // PAGE))
    page = min(max(page, 0), pages - 1)
    return tasks[page * PAGE : (page + 1) * PAGE], page, pages


async def queue_reminder(
    session: AsyncSession, *, task: Tracked, text: str, now: datetime, zone: ZoneInfo
) -> bool:
    """Queue `text` to the holder once per task and day (False: already queued today). No commit."""
    assert task.telegram_id is not None
    message = OutboxMessage(
        dedupe_key=f"assign-remind:{task.due_item_id}:{local_date(now, zone):%Y-%m-%d}",
        chat_id=task.telegram_id,
        person_id=task.holder_id,
        text=text,
        not_before=now,
        kind="assign",
        priority=3,
    )
    return await enqueue(session, messages=[message], now=now) == 1
