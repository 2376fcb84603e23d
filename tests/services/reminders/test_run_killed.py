"""A reminder run SIGKILLed halfway and run again: every step taken once, each person one message
(issue P: the run writes a unit group per transaction)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.localchat.demo import setup_demo
from bot.services.calendar.periods import local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.directory.recipients import load_directory
from bot.services.ledger.due_items import roll_due_items
from bot.services.reminders import plan
from bot.services.reminders.ladder import LadderRules, next_window
from bot.services.reminders.plan import make_plan
from bot.services.reminders.run import run_reminders
from bot.services.reminders.selection import open_dues, sent_steps
from bot.texts import reminders as words
from storage.db import create_engine, session_factory
from storage.models import Outbox, ReminderStep
from tests.conftest import DISTRICT
from tests.services.reminders.test_run import IMPORTED, ZONE

PROJECT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZONE)  # past the grace: holders, 联络员 and admins


async def test_a_run_killed_halfway_and_run_again_takes_every_step_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "UNITS_PER_GROUP", 1)  # as in the child: a group per unit
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        await setup_demo(sessions, data=DISTRICT, now=IMPORTED, zone=ZONE)
        async with sessions() as session:
            await roll_due_items(session, now=NOW, zone=ZONE)
        async with sessions() as session:  # what one whole run would take: the pure plan
            calendar = await load_calendar(session)
            today = local_date(NOW, ZONE)
            dues = await open_dues(session, today=today, calendar=calendar, zone=ZONE)
            sent = await sent_steps(session, [d.due_item_id for d in dues])
            directory = await load_directory(session, today=today)
            rules = LadderRules()
            whole = make_plan(
                dues,
                sent,
                [],
                directory,
                today=today,
                calendar=calendar,
                rules=rules,
                render=words.render,
                window=next_window(rules, now=NOW, zone=ZONE, calendar=calendar),
            )
        expected = {(d, s) for g in whole.groups for d, s, _ in g.steps}
        assert len(whole.groups) >= 4 and expected

        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.run_child",
            db_url,
            NOW.isoformat(),
            cwd=PROJECT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None
        for _ in range(4):  # three groups written, the fourth about to be
            assert (await asyncio.wait_for(child.stdout.readline(), 60)).strip() == b"group"
        child.send_signal(signal.SIGKILL)
        await child.wait()
        async with sessions() as session:
            halfway = len((await session.exec(select(ReminderStep))).all())
        assert 0 < halfway < len(expected)

        async with sessions() as session:
            calendar = await load_calendar(session)
            await run_reminders(
                session, now=NOW, zone=ZONE, calendar=calendar, rules=rules, render=words.render
            )
        async with sessions() as session:
            steps = (await session.exec(select(ReminderStep))).all()
            rows = (await session.exec(select(Outbox))).all()
        assert Counter((s.due_item_id, s.step) for s in steps) == Counter(expected)
        keys = {row.dedupe_key for row in rows}
        assert all(s.outbox_key in keys for s in steps)  # each step in a message that exists
        assert max(Counter(row.chat_id for row in rows).values()) == 1  # one message per person
    finally:
        await engine.dispose()
