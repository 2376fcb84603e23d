"""The reminder run: as of `now`, every ladder step due becomes part of one outbox message per person.

It reads what is due, works out the plan in a worker thread (the event loop keeps answering
chat), then writes it a unit at a time: each group — a unit's messages and the ReminderStep rows
they carry (unique per due item and step: the ladder's memory) — is one short transaction, so
SQLite's write lock is never held for long. A run killed halfway leaves whole units written; the
next run finds those steps taken and does the rest. A group another run wrote first fails on the
unique steps and is rolled back: that run sends it.

Each person gets one message per run: their own reminders first, then (a 联络员) the unit's
digest, then (an admin) the 约谈提醒 list. A step that reached nobody (unbound, blocked, or
refused for good by Telegram after an earlier run) is named in the digest of the item's unit,
or to the admins when the one not reached is that unit's 联络员.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import local_date
from bot.services.directory.recipients import load_directory
from bot.services.outbox import enqueue
from bot.services.reminders.ladder import Calendar, LadderRules, next_window, sending_window
from bot.services.reminders.plan import Group, Outgoing, Plan, RenderFn, make_plan
from bot.services.reminders.selection import Due, Entry, open_dues, sent_steps
from bot.services.reminders.undelivered import LOOK_BACK, failed_steps, point
from storage.models import ReminderStep

__all__ = ["Due", "Entry", "Outgoing", "RenderFn", "RunReport", "run_reminders"]


@dataclass(frozen=True)
class RunReport:
    """What one run did."""

    in_window: bool
    messages: int = 0
    steps: int = 0
    unreachable: tuple[str, ...] = ()
    raced: bool = False


async def run_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar,
    rules: LadderRules,
    render: RenderFn,
) -> RunReport:
    """Select every step due as of `now` and enqueue its messages, a unit per transaction."""
    if not sending_window(rules, now=now, zone=zone, calendar=calendar):
        return RunReport(in_window=False)
    today = local_date(now, zone)
    dues = await open_dues(session, today=today, calendar=calendar, zone=zone)
    sent = await sent_steps(session, [d.due_item_id for d in dues])
    directory = await load_directory(session, today=today)
    failed = await failed_steps(session, since=now - LOOK_BACK)
    await session.commit()  # the reads end here: no transaction stays open while planning
    plan = await asyncio.to_thread(
        _without_collections,
        dues,
        sent,
        failed,
        directory,
        today=today,
        calendar=calendar,
        rules=rules,
        render=render,
        window=next_window(rules, now=now, zone=zone, calendar=calendar),
    )
    messages = steps = 0
    raced = False
    for group in plan.groups:
        try:
            await _write(session, group, today, now)
            await session.commit()
        except IntegrityError:
            await session.rollback()  # another run took these steps first: it sends them
            raced = True
            continue
        messages += len(group.messages)
        steps += len(group.steps)
    return RunReport(True, messages, steps, plan.unreachable, raced)


def _without_collections(*args: Any, **kwargs: Any) -> Plan:
    """make_plan with the cyclic garbage collector paused: planning 5,000 units makes millions
    of short-lived objects (freed by reference counting), and each collection they triggered
    walked them all while holding the interpreter lock, stalling the event loop for up to
    a quarter of a second (bench/bench_run.py)."""
    with _PAUSE:
        global _paused
        if _paused == 0:
            _enabled[0] = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        return make_plan(*args, **kwargs)
    finally:
        with _PAUSE:
            _paused -= 1
            if _paused == 0 and _enabled[0]:
                gc.enable()


_PAUSE = threading.Lock()
_paused = 0
_enabled = [True]


async def _write(session: AsyncSession, group: Group, today: date, now: datetime) -> None:
    """One group: its steps first (a racing run fails here), then pointers and messages."""
    rows = [
        {
            "due_item_id": due_item_id,
            "step": step,
            "sent_on": today,
            "outbox_key": key,
            "created_at": now,
        }
        for due_item_id, step, key in group.steps
    ]
    for start in range(0, len(rows), 1000):  # one statement for many rows: compiled once
        await session.exec(insert(ReminderStep), params=rows[start : start + 1000])
    for key, ids in group.pointers.items():
        await point(session, step_ids=ids, key=key)
    await enqueue(session, messages=group.messages, now=now)
