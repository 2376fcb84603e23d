"""The outbox sender against the fake Bot API: every answer Telegram can give, two senders, replies first."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot.clock import ManualClock
from bot.localchat.chatlog import Json
from bot.services.outbox import OutboxMessage, enqueue, mark_failed, unreachable_since
from bot.telegram.delivery import retry_delay
from bot.telegram.notifier import Notifier
from bot.telegram.pacer import Pacer
from bot.telegram.sender import OutboxSender
from storage.db import create_engine, session_factory
from storage.models import Outbox, OutboxState, Person
from tests.handlers.conftest import NOW, District

BULK = 50_000  # chat ids of the synthetic recipients


async def _queue(district: District, messages: list[OutboxMessage]) -> None:
    async with district.app.sessions() as session:
        await enqueue(session, messages=messages, now=NOW)
        await session.commit()


def _message(key: str, chat_id: int, text: str, person_id: int | None = None) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=key,
        chat_id=chat_id,
        person_id=person_id,
        text=text,
        not_before=NOW,
        kind="reminder",
    )


def _bulk(count: int, start: int = 0) -> list[OutboxMessage]:
    return [_message(f"k{n}", BULK + n, f"提醒 k{n}") for n in range(start, start + count)]


async def _until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def _person(district: District, code: str) -> Person:
    async with district.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == code))).one()
        assert person.id is not None
        return person


async def _rows(district: District) -> dict[str, Outbox]:
    async with district.app.sessions() as session:
        rows = await session.exec(select(Outbox).execution_options(populate_existing=True))
        return {row.dedupe_key: row for row in rows}


def _arrivals(district: District) -> list[tuple[float, int, str]]:
    """(monotonic instant, chat, text) of every sendMessage as it reaches the fake API."""
    seen: list[tuple[float, int, str]] = []

    def observe(method: str, params: Json) -> None:
        if method.lower() == "sendmessage":
            seen.append((time.monotonic(), int(params["chat_id"]), str(params.get("text"))))

    district.fake.observers.append(observe)
    return seen


def _sender(district: District, rate: float) -> tuple[OutboxSender, Notifier]:
    notifier = Notifier(district.app.bot, pacer=Pacer(rate=rate))
    return OutboxSender(district.app.sessions, notifier, district.clock), notifier


async def test_every_row_is_sent_once_and_marked_with_its_message_id(district: District) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="开始自查", callback_data="selfcheck:start")]]
    )
    person = await _person(district, "P0101")
    await _queue(district, _bulk(30))
    prompt_row = OutboxMessage(
        dedupe_key="selfcheck:P0101:2026Q4",
        chat_id=district.tg("P0101"),
        person_id=person.id,
        text="<b>季度自查</b>",
        reply_markup=keyboard.model_dump_json(exclude_none=True),
        not_before=NOW,
        kind="selfcheck",
        priority=1,
    )
    await _queue(district, [prompt_row])
    counts = await district.app.sender.drain_once(NOW)
    assert (counts.sent, counts.retry, counts.failed, counts.unreachable) == (31, 0, 0, 0)
    rows = await _rows(district)
    assert {r.state for r in rows.values()} == {OutboxState.SENT}
    sent = {(s.chat_id, s.message_id): s for s in district.fake.sent}
    for row in rows.values():
        assert row.telegram_message_id is not None
        assert row.sent_at == NOW
        assert sent[(row.chat_id, row.telegram_message_id)].text == row.text
    prompt = sent[(district.tg("P0101"), rows["selfcheck:P0101:2026Q4"].telegram_message_id)]
    assert [b["text"] for b in prompt.buttons] == ["开始自查"]
    assert (await district.app.sender.drain_once(NOW)).total == 0
    assert len(district.fake.calls_to("sendMessage")) == 31


async def test_a_429_makes_everyone_wait_retry_after_and_nothing_goes_earlier(
    district: District,
) -> None:
    sender, notifier = _sender(district, rate=10)
    arrivals = _arrivals(district)
    await _queue(district, _bulk(12))
    district.fake.flood(1, retry_after=2)
    flooded = asyncio.Event()
    district.fake.observers.append(lambda method, _: flooded.set())
    wave = asyncio.create_task(sender.drain_once(NOW))
    await flooded.wait()
    reply = await notifier.send(district.tg("P0101"), "回复")  # a chat reply waits too
    counts = await wave
    assert counts.sent == 12
    assert reply
    refused_at = arrivals[0][0]
    later = [at for at, _, _ in arrivals[1:]]
    assert len(later) == 13
    assert min(later) >= refused_at + 2
    texts = Counter(text for _, _, text in arrivals[1:])
    assert set(texts.values()) == {1}  # the refused one went again once, nothing twice


async def test_a_chat_that_blocked_the_bot_marks_the_person_and_is_not_retried(
    district: District,
) -> None:
    person = await _person(district, "P0102")
    assert person.id is not None
    chat = district.tg("P0102")
    district.fake.forbid(chat)
    await _queue(district, [_message("reminder:blocked", chat, "提醒", person.id)])
    counts = await district.app.sender.drain_once(NOW)
    assert (counts.sent, counts.unreachable) == (0, 1)
    row = (await _rows(district))["reminder:blocked"]
    assert (row.state, row.attempts, row.failed_at) == (OutboxState.FAILED, 1, NOW)
    assert row.last_error == "Forbidden: bot was blocked by the user"
    async with district.app.sessions() as session:
        marked = await session.get(Person, person.id)
        assert marked is not None
        assert marked.unreachable_at == NOW
        digest = await unreachable_since(session, since=NOW - timedelta(days=1))
    assert [p.code for p in digest[person.unit_id]] == ["P0102"]
    later = await district.app.sender.drain_once(NOW + timedelta(days=1))
    assert later.total == 0
    assert len([c for c in district.fake.calls_to("sendMessage") if int(c["chat_id"]) == chat]) == 1


async def test_a_message_telegram_refuses_fails_with_the_reason_and_is_not_retried(
    district: District,
) -> None:
    await _queue(
        district, [_message("k0", BULK, ""), _message("bad-html", BULK + 7, "【C01】<x>未转义</x>")]
    )
    counts = await district.app.sender.drain_once(NOW)
    assert (counts.sent, counts.failed) == (1, 1)
    rows = await _rows(district)
    assert (rows["k0"].state, rows["k0"].last_error) == (
        OutboxState.FAILED,
        "Bad Request: message text is empty",
    )
    assert rows["bad-html"].state == OutboxState.SENT  # an escaping slip is sent unformatted
    assert district.fake.sent[-1].parse_mode is None
    assert (await district.app.sender.drain_once(NOW + timedelta(hours=1))).total == 0


async def test_server_errors_are_retried_with_growing_backoff_and_never_given_up(
    district: District,
) -> None:
    clock = ManualClock(NOW)
    sender = OutboxSender(district.app.sessions, district.app.notifier, clock, max_attempts=4)
    await _queue(district, _bulk(2))
    district.fake.fail(1, code=502, description="Bad Gateway")  # k0 fails once, then goes
    first = await sender.drain_once(NOW)
    assert (first.sent, first.retry) == (1, 1)
    rows = await _rows(district)
    flaky = next(r for r in rows.values() if r.state == OutboxState.PENDING)
    assert flaky.not_before == NOW + timedelta(seconds=5)
    assert flaky.last_error is not None and "Bad Gateway" in flaky.last_error
    assert (await sender.drain_once(NOW + timedelta(seconds=4))).total == 0  # not earlier
    assert (await sender.drain_once(NOW + timedelta(seconds=5))).sent == 1

    await _queue(district, _bulk(1, start=2))
    district.fake.fail(13, code=500)  # max_attempts does not bound Telegram's own trouble
    moment, waits = NOW + timedelta(seconds=10), []
    for _ in range(14):
        counts = await sender.drain_once(moment)
        assert counts.total == 1
        assert counts.failed == 0
        row = (await _rows(district))["k2"]
        if row.state != OutboxState.PENDING:
            break
        assert counts.retry == 1
        waits.append((row.not_before - moment).total_seconds())
        moment = row.not_before
    assert waits == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600]
    assert (row.state, row.attempts, row.sent_at) == (OutboxState.SENT, 14, moment)
    assert retry_delay(10_000) == 3600


async def test_a_reply_overtakes_a_bulk_wave(district: District) -> None:
    sender, notifier = _sender(district, rate=10)
    arrivals = _arrivals(district)
    await _queue(district, _bulk(60))
    wave = asyncio.create_task(sender.drain_once(NOW))
    await _until(lambda: len(arrivals) >= 5)
    before = len(arrivals)
    await notifier.send(district.tg("P0101"), "你的清单")
    position = next(i for i, (_, _, text) in enumerate(arrivals) if text == "你的清单")
    assert position - before <= 1  # at most the bulk message already granted
    assert len(arrivals) < 20  # the wave is still far from done
    wave.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await wave


async def test_two_senders_on_two_engines_never_send_a_row_twice(
    district: District, db_url: str
) -> None:
    await _queue(district, _bulk(200))
    other = create_engine(db_url)
    try:
        first = OutboxSender(
            district.app.sessions,
            Notifier(district.app.bot, pacer=Pacer(rate=400)),
            district.clock,
            batch=10,
        )
        second = OutboxSender(
            session_factory(other),
            Notifier(district.app.bot, pacer=Pacer(rate=400)),
            district.clock,
            batch=10,
        )
        one, two = await asyncio.gather(first.drain_once(NOW), second.drain_once(NOW))
    finally:
        await other.dispose()
    assert one.sent > 0
    assert two.sent > 0
    assert one.sent + two.sent == 200
    per_text = Counter(s.text for s in district.fake.sent)
    assert len(per_text) == 200
    assert set(per_text.values()) == {1}


async def test_the_running_sender_picks_up_new_rows_and_stops_when_told(
    district: District,
) -> None:
    sender, _ = _sender(district, rate=100)
    sender.idle = 0.05
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await _queue(district, _bulk(5))
    await _until(lambda: sender.counts.sent == 5)
    await _queue(district, _bulk(1, start=5))
    await _until(lambda: sender.counts.sent == 6)
    stop.set()
    await asyncio.wait_for(running, 5)
    async with district.app.sessions() as session:
        states = await session.exec(select(col(Outbox.state)))
        assert set(states.all()) == {OutboxState.SENT}


async def test_rows_delayed_past_the_sending_window_wait_for_the_next_working_morning(
    district: District,
) -> None:
    """An outage from 09:00: the reminders queued for 09:00 must not go out at 22:30 when the bot
    is back, nor the 5xx retry that fell due at 21:05; they go at 08:00 the next working day."""
    wednesday = NOW.replace(day=25)
    morning = wednesday.replace(hour=9)
    rows = [replace(m, not_before=morning) for m in _bulk(3)]
    rows.append(replace(_message("retry", BULK + 9, "重试"), kind="nudge"))
    await _queue(district, rows)
    async with district.app.sessions() as session:
        await mark_failed(
            session,
            outbox_id=(await _rows(district))["retry"].id or 0,
            reason="TelegramServerError",
            now=wednesday.replace(hour=20, minute=59),
            retry_at=wednesday.replace(hour=21, minute=5),
        )
    late = wednesday.replace(hour=22, minute=30)
    counts = await district.app.sender.drain_once(late)
    assert counts.total == 0 and district.fake.calls_to("sendMessage") == []
    thursday = wednesday.replace(day=26, hour=8, minute=0)
    held = await _rows(district)
    assert {(r.state, r.not_before, r.claimed_at) for r in held.values()} == {
        (OutboxState.PENDING, thursday, None)
    }
    assert [held[f"k{n}"].attempts for n in range(3)] == [0, 0, 0]
    assert (await district.app.sender.drain_once(thursday - timedelta(seconds=1))).total == 0
    assert (await district.app.sender.drain_once(thursday)).sent == 4
