"""What a reminder run picks: the open due items, the steps each has taken, and who gets each step today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy import true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import effective_due, local_date
from bot.services.directory.recipients import Directory, Recipient
from bot.services.ledger.outstanding import is_outstanding
from bot.services.reminders.ladder import (
    HOLDER,
    PROMPT,
    SECRETARY,
    Calendar,
    LadderRules,
    escalations_due,
    holder_step_due,
    prompt_day,
)
from storage.models import DueItem, Holding, Item, ReminderStep

REMINDER, DIGEST, ESCALATION = "reminder", "digest", "escalation"
UNDELIVERED = "U"  # a digest line: a step that reached nobody (unbound, blocked, refused)


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
    created_on: date  # the local day the due item was made (an import, the daily roll)


@dataclass(frozen=True)
class Entry:
    """One due item in one message, at one step.

    for_person: whose item it is when the recipient stands in for them (leave); missed: for an
    undelivered line (step U), the person the step did not reach.
    """

    due: Due
    step: str
    for_person: int | None = None
    missed: int | None = None

    def kind(self, rules: LadderRules) -> str:
        """reminder (the holder's), digest (the 联络员's lines) or escalation (the admins')."""
        if self.step == UNDELIVERED:
            return DIGEST
        audience = rules.audience_of.get(self.step, HOLDER)
        if audience == HOLDER:
            return REMINDER
        return DIGEST if audience == SECRETARY else ESCALATION


@dataclass(frozen=True)
class Chosen:
    """A step due today for one due item, and who receives it."""

    due: Due
    step: str
    people: tuple[Recipient, ...]
    for_person: int | None


def steps_for(
    due: Due,
    today: date,
    calendar: Calendar,
    rules: LadderRules,
    sent: set[str],
    directory: Directory,
) -> list[Chosen]:
    """The steps due today for `due` and their receivers, as the one resolver says
    (Directory.holders): a stand-in gets an absent holder's ordinary items; a personal prompt
    (季度自查, 半年报告) and its ladder wait for the holder's return; an absent owner's items
    do not escalate."""
    reach = directory.holders(due.unit_id, due.holder_id)
    if reach.paused and due.system:
        return []  # personal: the absent holder's own, when they are back
    found: list[Chosen] = []
    if due.system and PROMPT not in sent and reach.receivers:
        day = prompt_day(
            rules,
            system=due.system,
            period_start=due.period_start,
            period_end=due.period_end,
            calendar=calendar,
        )
        if day <= today <= due.effective:
            found.append(Chosen(due, PROMPT, reach.receivers, reach.for_person))
    step = holder_step_due(rules, due=due.effective, today=today, calendar=calendar, sent=sent)
    if step is not None and reach.receivers:
        found.append(Chosen(due, step.name, reach.receivers, reach.for_person))
    if reach.paused:
        return found
    grace = rules.escalation_grace
    heard = calendar.next_working(
        directory.settled_since(due.unit_id, due.holder_id, due.created_on)
    )
    if grace and today < calendar.add_working_days(heard, grace):
        return found  # just imported, or the holder just back: they hear of it first
    for rung in escalations_due(
        rules, due=due.effective, today=today, calendar=calendar, sent=sent
    ):
        people = (
            directory.secretaries(due.unit_id) if rung.audience == SECRETARY else directory.admins()
        )
        if people:  # nobody (a 联络员 away with no stand-in): the step waits for someone
            found.append(Chosen(due, rung.name, tuple(people), None))
    return found


async def open_dues(
    session: AsyncSession,
    *,
    today: date,
    calendar: Calendar,
    zone: ZoneInfo,
    only: Collection[int] | None = None,
) -> list[Due]:
    """Every due item outstanding today (or those of `only` that are), by due date and code
    (plain columns: 100,000 due items are read without building ORM objects)."""
    query = (
        sa_select(
            col(DueItem.id),
            col(DueItem.period_key),
            col(DueItem.period_start),
            col(DueItem.period_end),
            col(DueItem.due_date),
            col(DueItem.created_at),
            col(Holding.unit_id),
            col(Holding.person_id),
            col(Item.code),
            col(Item.content),
            col(Item.system),
        )
        .select_from(DueItem)
        .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        .join(Item, col(Item.id) == col(Holding.item_id))
        .where(is_outstanding(today), true() if only is None else col(DueItem.id).in_(only))
        # the database sorts (a sort of 200,000 rows in Python holds the interpreter lock for
        # a third of a second); 顺延 never reorders due dates, only ties them
        .order_by(col(DueItem.due_date), col(Item.code), col(DueItem.id))
    )
    found = []
    effective: dict[date, date] = {}
    made: dict[datetime, date] = {}
    result = await session.stream(query)  # in slices: the event loop answers chat in between
    async for part in result.partitions(2000):
        for row in part:
            due_id, key, start, end, nominal, created, unit_id, holder, code, content, system = row
            assert due_id is not None
            if nominal not in effective:
                effective[nominal] = effective_due(nominal, calendar=calendar).effective
            if created not in made:
                made[created] = local_date(created, zone)
            found.append(
                Due(
                    due_item_id=due_id,
                    item_code=code,
                    content=content,
                    period_key=key,
                    period_start=start,
                    period_end=end,
                    nominal=nominal,
                    effective=effective[nominal],
                    system=system,
                    unit_id=unit_id,
                    holder_id=holder,
                    created_on=made[created],
                )
            )
    return found


async def sent_steps(session: AsyncSession, ids: list[int]) -> dict[int, set[str]]:
    """The steps each due item has taken (the ladder's memory)."""
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
