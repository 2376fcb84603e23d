"""The reminder ladder as pure rules: which step a due item is at on a working day, and when to send."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.services.calendar.window import deliverable, next_deliverable

HOLDER = "holder"
SECRETARY = "secretary"
ADMIN = "admin"
PROMPT = "P"  # the self-check / half-year report prompt, before the ladder proper
ESCALATE_SECRETARY, ESCALATE_ADMIN = "S", "A"  # the 联络员's digest, the admins' list


class Calendar(Protocol):
    """What the ladder needs of the working-day calendar (bot.services.calendar.workdays.WorkCalendar)."""

    def is_working(self, day: date) -> bool: ...

    def next_working(self, day: date) -> date: ...

    def add_working_days(self, day: date, n: int) -> date: ...


@dataclass(frozen=True)
class Step:
    """One rung: its name (stored in ReminderStep), whom it goes to, and its working-day offset."""

    name: str
    audience: str
    offset: int  # working days after the effective due date (negative: before it)


@dataclass(frozen=True)
class LadderRules:
    """The ladder and the sending window; defaults are the README's, every one a setting."""

    before: tuple[int, ...] = (10, 5, 1)
    overdue_holder: int = 1
    escalate_secretary: int = 3
    escalate_admin: int = 10
    send_at: time = time(9, 0)
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    selfcheck_prompt_before: int = 5
    report_prompt_days: tuple[tuple[int, int], ...] = ((6, 15), (12, 15))
    escalation_grace: int = 3  # working days after a due item is made before it escalates
    steps: tuple[Step, ...] = field(init=False)
    audience_of: dict[str, str] = field(init=False, compare=False, repr=False)  # step → audience

    def __post_init__(self) -> None:
        rungs = [Step(f"T{n}", HOLDER, -n) for n in sorted(set(self.before), reverse=True)]
        rungs.append(Step("T0", HOLDER, 0))
        rungs.append(Step(f"O{self.overdue_holder}", HOLDER, self.overdue_holder))
        # the escalations' names carry no number: a changed ESCALATE_*_AFTER must not escalate
        # every item a second time (S3 taken, S4 not)
        rungs.append(Step(ESCALATE_SECRETARY, SECRETARY, self.escalate_secretary))
        rungs.append(Step(ESCALATE_ADMIN, ADMIN, self.escalate_admin))
        object.__setattr__(self, "steps", tuple(rungs))
        object.__setattr__(self, "audience_of", {rung.name: rung.audience for rung in rungs})

    @functools.cached_property
    def _holder_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.audience == HOLDER)

    @functools.cached_property
    def _escalations(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.audience != HOLDER)

    def holder_steps(self) -> tuple[Step, ...]:
        return self._holder_steps

    def escalations(self) -> tuple[Step, ...]:
        return self._escalations


def step_day(step: Step, due: date, calendar: Calendar) -> date:
    """The working day on which `step` falls for an item effectively due on `due`."""
    return calendar.add_working_days(due, step.offset) if step.offset else due


def holder_step_due(
    rules: LadderRules, *, due: date, today: date, calendar: Calendar, sent: set[str]
) -> Step | None:
    """The holder rung to send today: the latest one already reached, unless it or a later one
    was sent. Earlier rungs that were missed (downtime, a late import) fold into it."""
    reached = [s for s in rules.holder_steps() if step_day(s, due, calendar) <= today]
    if not reached:
        return None
    latest = reached[-1]
    names = [s.name for s in rules.holder_steps()]
    if any(name in sent for name in names[names.index(latest.name) :]):
        return None
    return latest


def escalations_due(
    rules: LadderRules, *, due: date, today: date, calendar: Calendar, sent: set[str]
) -> list[Step]:
    """The escalation rungs (联络员, admins) reached by today and not sent yet."""
    return [
        step
        for step in rules.escalations()
        if step.name not in sent and step_day(step, due, calendar) <= today
    ]


def prompt_day(
    rules: LadderRules, *, system: str, period_start: date, period_end: date, calendar: Calendar
) -> date:
    """The day a built-in item's prompt goes out: 季度自查 N working days before the quarter
    ends; 半年报告 on 15 June / 15 December (the next working day if that is not one)."""
    if system == "selfcheck":
        return calendar.add_working_days(period_end, -rules.selfcheck_prompt_before)
    month, day = rules.report_prompt_days[0 if period_end.month <= 6 else 1]
    return calendar.next_working(date(period_end.year, month, day))


def sending_window(
    rules: LadderRules, *, now: datetime, zone: ZoneInfo, calendar: Calendar
) -> bool:
    """True when reminders may be selected now: deliverable (a working day, not quiet) and at or
    after the reminder time."""
    moment = now.astimezone(zone).timetz().replace(tzinfo=None)
    return moment >= rules.send_at and deliverable(rules, now=now, zone=zone, calendar=calendar)


def next_window(
    rules: LadderRules, *, now: datetime, zone: ZoneInfo, calendar: Calendar
) -> datetime:
    """The first instant at or after `now` when a message may be delivered (working day, not quiet)."""
    return next_deliverable(rules, now=now, zone=zone, calendar=calendar)
