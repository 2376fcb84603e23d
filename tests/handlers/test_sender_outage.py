"""Reminders that are never lost: a Telegram outage, 5xx and flood waits after it, a `tick` killed mid-send."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.cli_tick import tick
from bot.services.calendar.window import deliverable
from bot.services.calendar.workdays import load_calendar
from bot.services.outbox import OutboxMessage, claim_due, enqueue
from bot.telegram.notifier import Notifier
from bot.telegram.pacer import Pacer
from bot.telegram.sender import OutboxSender, SendCounts
from bot.texts import reminders as words
from scheduler.jobs import remind
from storage.models import Outbox, OutboxState
from tests.handlers.conftest import NOW, ZONE, District

WAVE = 60_000  # chat ids of the wave's synthetic recipients


def _wave(count: int) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            dedupe_key=f"reminder:{n}",
            chat_id=WAVE + n,
            person_id=None,
            text=f"提醒 {n}",
            not_before=NOW,
            kind="reminder",
        )
        for n in range(count)
    ]


async def _queue(district: District, messages: list[OutboxMessage]) -> None:
    async with district.app.sessions() as session:
        await enqueue(session, messages=messages, now=NOW)
        await session.commit()


async def _rows(district: District) -> dict[str, Outbox]:
    async with district.app.sessions() as session:
        rows = await session.exec(select(Outbox).execution_options(populate_existing=True))
        return {row.dedupe_key: row for row in rows}


def _impatient(district: District) -> tuple[OutboxSender, Notifier]:
    """A sender whose notifier hands any 429 back at once (budget 0.5 s): the flood outcome."""
    notifier = Notifier(district.app.bot, pacer=Pacer(rate=200), max_wait=0.5)
    return OutboxSender(district.app.sessions, notifier, district.clock), notifier


async def _drain(sender: OutboxSender, district: District, moment: datetime) -> SendCounts:
    """One drain as of `moment`; its counts must say what became of the rows it took."""
    before = await _rows(district)
    due = {
        key
        for key, row in before.items()
        if row.state == OutboxState.PENDING and row.not_before <= moment
    }
    counts = await sender.drain_once(moment)
    after = await _rows(district)
    states = Counter(after[key].state for key in due)
    assert counts.sent == states[OutboxState.SENT]
    assert counts.retry == states[OutboxState.PENDING]
    assert counts.failed + counts.unreachable == states[OutboxState.FAILED]
    assert counts.total == len(due)
    return counts


def _next(rows: dict[str, Outbox], moment: datetime) -> datetime | None:
    waiting = [row.not_before for row in rows.values() if row.state == OutboxState.PENDING]
    return max(moment, min(waiting)) if waiting else None


async def test_a_ten_minute_outage_then_429s_delivers_every_reminder_once(
    district: District,
) -> None:
    sender, notifier = _impatient(district)
    await _queue(district, _wave(20))
    await district.fake.go_down()  # connection refused
    back = NOW + timedelta(minutes=10)
    moment: datetime | None = NOW
    while moment is not None and moment < back:
        counts = await _drain(sender, district, moment)
        assert counts.failed == 0
        rows = await _rows(district)
        assert {row.state for row in rows.values()} == {OutboxState.PENDING}
        moment = _next(rows, moment)
    assert district.fake.sent == []
    backoff = [(row.not_before - NOW).total_seconds() for row in rows.values()]
    assert min(backoff) > 600  # still waiting after ten minutes, not given up
    await district.fake.come_back()
    district.fake.flood(4, retry_after=1)
    district.fake.fail(3, code=500)
    for _ in range(40):
        if moment is None:
            break
        await asyncio.sleep(notifier.pacer.paused_for())  # Telegram's 429 holds in real time
        counts = await _drain(sender, district, moment)
        assert counts.failed == 0
        moment = _next(await _rows(district), moment)
    rows = await _rows(district)
    assert {row.state for row in rows.values()} == {OutboxState.SENT}
    sent_at = [row.sent_at for row in rows.values() if row.sent_at is not None]
    assert len(sent_at) == 20
    assert back <= min(sent_at) <= max(sent_at) <= back + timedelta(hours=1)
    arrived = Counter((s.chat_id, s.text) for s in district.fake.sent)
    assert arrived == Counter((WAVE + n, f"提醒 {n}") for n in range(20))


async def test_a_wave_held_by_an_outage_into_the_night_arrives_once_next_morning_after_5xx_and_429s(
    district: District,
) -> None:
    """The issue's "Shown by": the fake Bot API refuses connections for ten minutes, then answers
    500s, then 429s; every reminder of the wave arrives exactly once, after the outage, and only
    inside the sending window (the outage ran into QUIET_HOURS: they wait for the morning)."""
    d = district
    window = d.app.sender.window
    assert window is not None
    notifier = Notifier(d.app.bot, pacer=Pacer(rate=200), max_wait=0.5)  # a 429: flood outcome
    sender = OutboxSender(d.app.sessions, notifier, d.clock, window=window)
    start = NOW.replace(hour=20, minute=55)  # Monday 2026-11-23, five minutes before quiet
    assert (
        await remind(d.app.jobs, start)
    ).messages > 15  # the holders (escalation: after the grace)
    queued = await _rows(d)
    await d.fake.go_down()
    back = start + timedelta(minutes=10)
    moment: datetime | None = start
    while moment is not None and moment < back:  # retried with backoff, then held for the night
        counts = await sender.drain_once(moment)
        assert (counts.sent, counts.failed, counts.unreachable) == (0, 0, 0)
        moment = _next(await _rows(d), moment)
    assert d.fake.sent == [] and moment is not None
    morning = datetime(2026, 11, 24, 8, 0, tzinfo=ZONE)
    assert moment == morning  # nothing tried in the night
    await d.fake.come_back()
    d.fake.fail(3, code=500)
    d.fake.flood(4, retry_after=1)
    for _ in range(40):
        if moment is None:
            break
        await asyncio.sleep(notifier.pacer.paused_for())  # Telegram's 429 holds in real time
        counts = await sender.drain_once(moment)
        assert counts.failed + counts.unreachable == 0
        moment = _next(await _rows(d), moment)
    rows = await _rows(d)
    assert rows.keys() == queued.keys()
    assert {row.state for row in rows.values()} == {OutboxState.SENT}
    async with d.app.sessions() as session:
        calendar = await load_calendar(session)
    for row in rows.values():
        assert row.sent_at is not None and morning <= row.sent_at <= morning + timedelta(hours=1)
        assert deliverable(window.hours, now=row.sent_at, zone=ZONE, calendar=calendar)
    arrived = Counter((s.chat_id, s.text) for s in d.fake.sent if s.method == "sendMessage")
    assert arrived == Counter((row.chat_id, row.text) for row in queued.values())
    assert len(d.fake.calls_to("sendMessage")) == len(queued) + 3 + 4  # the 500s and 429s met


async def test_429s_are_waits_not_failures_and_one_5xx_after_them_is_retried(
    district: District,
) -> None:
    sender, notifier = _impatient(district)
    await _queue(district, _wave(1))
    district.fake.flood(4, retry_after=1)
    district.fake.fail(1, code=500)
    moment = NOW
    for _ in range(4):
        await asyncio.sleep(notifier.pacer.paused_for())
        counts = await _drain(sender, district, moment)
        assert (counts.retry, counts.failed) == (1, 0)
        row = (await _rows(district))["reminder:0"]
        assert (row.state, row.attempts) == (OutboxState.PENDING, 0)  # a wait is no attempt
        moment = row.not_before
    await asyncio.sleep(notifier.pacer.paused_for())
    counts = await _drain(sender, district, moment)
    assert (counts.sent, counts.retry, counts.failed) == (0, 1, 0)
    row = (await _rows(district))["reminder:0"]
    assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
    assert row.not_before == moment + timedelta(seconds=5)  # the first failure's backoff
    counts = await _drain(sender, district, row.not_before)
    assert counts.sent == 1
    assert [s.text for s in district.fake.sent] == ["提醒 0"]


async def test_a_tick_sends_what_a_killed_tick_left_sending(
    district: District, capsys: pytest.CaptureFixture[str]
) -> None:
    await _queue(district, _wave(3))
    async with district.app.sessions() as session:  # the killed tick had claimed them
        claimed = await claim_due(session, now=NOW, limit=10)
    assert len(claimed) == 3
    assert await tick(district.app.settings, (NOW + timedelta(minutes=5)).isoformat()) == 0
    assert words.TICK_RECOVERED.format(count=3) in capsys.readouterr().out
    rows = await _rows(district)
    assert {rows[f"reminder:{n}"].state for n in range(3)} == {OutboxState.SENT}
    arrived = Counter(s.text for s in district.fake.sent if WAVE <= (s.chat_id or 0) < WAVE + 3)
    assert arrived == Counter(f"提醒 {n}" for n in range(3))
