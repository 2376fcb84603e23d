"""交办事项跟踪 (/assigned): every assigned task with its holder, deadline and state; a reminder by the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.calendar.window import SendingWindow, bulk_not_before
from bot.services.ledger.counting import DueState, rows_where
from bot.services.outbox import OutboxMessage, enqueue
from bot.services.oversight.assign import assigned_items
from bot.services.oversight.assign_parse import SOURCE_MARK
from storage.models import DueItem, Holding, Item, Person, Unit

PAGE = 8  # tasks per page of /assigned


State = DueState  # an assigned task's state is the ledger's (ledger.counting)


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
    where = and_(assigned_items(), col(Holding.person_id).is_not(None))
    if due_item_id is not None:
        where = and_(where, col(DueItem.id) == due_item_id)
    rows = await rows_where(session, where=where, today=today)
    extra = {  # due item → (active, the 工作措施 naming the source)
        due_id: (bool(holding_active and item_active), measures)
        for due_id, holding_active, item_active, measures in (
            await session.exec(
                select(col(DueItem.id), col(Holding.active), col(Item.active), col(Item.measures))
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(where)
            )
        ).all()
    }
    people = {
        p.id: (p, unit_name)
        for p, unit_name in (
            await session.exec(
                select(Person, col(Unit.name))
                .join(Unit, col(Unit.id) == col(Person.unit_id))
                .where(col(Person.id).in_([r.person_id for r in rows]))
            )
        ).all()
    }
    found = []
    for row in rows:
        assert row.person_id is not None
        person, unit_name = people[row.person_id]
        active, source = extra[row.due_item_id]
        found.append(
            Tracked(
                due_item_id=row.due_item_id,
                item_code=row.item_code,
                content=row.content,
                source=source.removeprefix(SOURCE_MARK),
                unit_name=unit_name,
                holder_id=row.person_id,
                holder_name=person.name,
                holder_code=person.code,
                telegram_id=person.telegram_id,
                due=row.due,
                nominal=row.nominal,
                state=row.state,
                days=abs((row.due - today).days),
                done_on=row.done_on,
                active=active,
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
    session: AsyncSession,
    *,
    task: Tracked,
    text: str,
    now: datetime,
    zone: ZoneInfo,
    window: SendingWindow | None = None,
) -> bool:
    """Queue `text` to the holder once per task and day (False: already queued today). No commit."""
    assert task.telegram_id is not None
    message = OutboxMessage(
        dedupe_key=f"assign-remind:{task.due_item_id}:{local_date(now, zone):%Y-%m-%d}",
        chat_id=task.telegram_id,
        person_id=task.holder_id,
        text=text,
        not_before=await bulk_not_before(session, window=window, now=now),
        kind="assign",
        priority=3,
    )
    return await enqueue(session, messages=[message], now=now) == 1
