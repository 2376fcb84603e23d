"""The outbox service on both databases: idempotent enqueue, claims never shared, marks, recovery."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.outbox import (
    OutboxMessage,
    claim_due,
    enqueue,
    mark_failed,
    mark_sent,
    mark_unreachable,
    pending_count,
    recover_sending,
    unreachable_since,
)
from storage.db import create_engine, session_factory
from storage.models import Outbox, OutboxState, Person
from tests.factories import NOW, make_person, make_unit

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _messages(count: int, *, prefix: str = "reminder", priority: int = 5) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            dedupe_key=f"{prefix}:{n}",
            chat_id=10_000 + n,
            person_id=None,
            text=f"提醒 {n}",
            not_before=NOW,
            kind="reminder",
            priority=priority,
        )
        for n in range(count)
    ]


async def _rows(session: AsyncSession) -> list[Outbox]:
    found = await session.exec(
        select(Outbox).order_by(col(Outbox.id)).execution_options(populate_existing=True)
    )
    return list(found.all())


async def test_enqueue_adds_each_key_once_and_does_not_commit(session: AsyncSession) -> None:
    assert await enqueue(session, messages=_messages(3), now=NOW) == 3
    assert await enqueue(session, messages=_messages(5), now=NOW) == 2
    await session.rollback()  # the caller's transaction decides
    assert await _rows(session) == []
    assert await enqueue(session, messages=_messages(5), now=NOW) == 5
    await session.commit()
    rows = await _rows(session)
    assert [r.dedupe_key for r in rows] == [f"reminder:{n}" for n in range(5)]
    assert {r.state for r in rows} == {OutboxState.PENDING}
    assert rows[0].kind == "reminder"
    assert rows[0].created_at == NOW
    assert await enqueue(session, messages=_messages(5), now=NOW) == 0


async def test_enqueue_of_the_same_keys_from_many_sessions_at_once_keeps_one_row_each(
    sessions: Sessions, session: AsyncSession
) -> None:
    messages = _messages(120)

    async def one(seed: int) -> int:
        mine = list(messages)
        random.Random(seed).shuffle(mine)  # a different order in each transaction
        async with sessions() as own:
            added = await enqueue(own, messages=mine, now=NOW)
            await own.commit()
            return added

    added = await asyncio.gather(*(one(seed) for seed in range(6)))
    assert sum(added) == 120
    rows = await _rows(session)
    assert len(rows) == 120
    assert len({r.dedupe_key for r in rows}) == 120


async def test_claims_come_most_urgent_first_and_only_when_due(session: AsyncSession) -> None:
    later = [
        OutboxMessage(
            dedupe_key="digest:later",
            chat_id=1,
            person_id=None,
            text="晚点",
            not_before=NOW + timedelta(hours=1),
            kind="digest",
        )
    ]
    await enqueue(session, messages=_messages(3, prefix="bulk", priority=5), now=NOW)
    await enqueue(session, messages=_messages(2, prefix="urgent", priority=0), now=NOW)
    await enqueue(session, messages=later, now=NOW)
    await session.commit()
    claimed = await claim_due(session, now=NOW, limit=4)
    assert [r.dedupe_key for r in claimed] == ["urgent:0", "urgent:1", "bulk:0", "bulk:1"]
    assert {r.state for r in claimed} == {OutboxState.SENDING}
    assert {r.claimed_at for r in claimed} == {NOW}
    assert [r.dedupe_key for r in await claim_due(session, now=NOW, limit=10)] == ["bulk:2"]
    assert await claim_due(session, now=NOW, limit=10) == []
    assert await pending_count(session, now=NOW) == 5  # claimed rows still count as unsent
    assert [
        r.dedupe_key for r in await claim_due(session, now=NOW + timedelta(hours=1), limit=5)
    ] == ["digest:later"]


async def test_two_senders_claiming_at_once_never_share_a_row(
    db_url: str, engine: AsyncEngine, session: AsyncSession
) -> None:
    await enqueue(session, messages=_messages(300), now=NOW)
    await session.commit()
    other = create_engine(db_url)  # a second process's own pool
    try:

        async def drain(factory: Sessions) -> list[int]:
            taken: list[int] = []
            while True:
                async with factory() as own:
                    rows = await claim_due(own, now=NOW, limit=7)
                if not rows:
                    return taken
                taken += [r.id for r in rows if r.id is not None]
                await asyncio.sleep(0)

        first, second = await asyncio.gather(
            drain(session_factory(engine)), drain(session_factory(other))
        )
    finally:
        await other.dispose()
    assert first
    assert second
    assert len(first) + len(second) == 300
    assert set(first).isdisjoint(second)


async def test_marks_sent_failed_and_retry(session: AsyncSession) -> None:
    await enqueue(session, messages=_messages(3), now=NOW)
    await session.commit()
    one, two, three = await claim_due(session, now=NOW, limit=3)
    assert one.id and two.id and three.id
    later = NOW + timedelta(seconds=30)
    await mark_sent(session, outbox_id=one.id, message_id=77, now=later)
    await mark_failed(session, outbox_id=two.id, reason="Bad Request: chat not found", now=later)
    await mark_failed(
        session, outbox_id=three.id, reason="TelegramServerError: 502", now=later, retry_at=later
    )
    sent, failed, retry = await _rows(session)
    assert (sent.state, sent.sent_at, sent.telegram_message_id, sent.attempts) == (
        OutboxState.SENT,
        later,
        77,
        1,
    )
    assert (failed.state, failed.failed_at, failed.last_error, failed.attempts) == (
        OutboxState.FAILED,
        later,
        "Bad Request: chat not found",
        1,
    )
    assert (retry.state, retry.not_before, retry.attempts, retry.claimed_at) == (
        OutboxState.PENDING,
        later,
        1,
        None,
    )
    assert retry.last_error == "TelegramServerError: 502"
    assert await claim_due(session, now=NOW, limit=5) == []  # not before its retry time
    assert [r.id for r in await claim_due(session, now=later, limit=5)] == [three.id]


async def test_rows_left_sending_by_a_crash_are_queued_again(session: AsyncSession) -> None:
    await enqueue(session, messages=_messages(4), now=NOW)
    await session.commit()
    await claim_due(session, now=NOW, limit=2)
    await claim_due(session, now=NOW + timedelta(minutes=20), limit=1)
    cutoff = NOW + timedelta(minutes=10)
    assert await recover_sending(session, now=cutoff, claimed_before=cutoff) == 2  # only stale
    assert await recover_sending(session, now=cutoff) == 1
    rows = await _rows(session)
    assert {r.state for r in rows} == {OutboxState.PENDING}
    assert {r.claimed_at for r in rows} == {None}
    assert len(await claim_due(session, now=NOW, limit=10)) == 4


async def test_unreachable_people_are_remembered_by_unit(session: AsyncSession) -> None:
    town = await make_unit(session, code="U01", name="城关镇")
    office = await make_unit(session, code="U02", name="区财政局")
    chen = await make_person(session, town, code="P0101", name="陈立新")
    li = await make_person(session, town, code="P0102", name="李华")
    wang = await make_person(session, office, code="P0201", name="王强")
    assert chen.id and li.id and wang.id
    await mark_unreachable(session, person_id=chen.id, now=NOW - timedelta(days=3))
    await mark_unreachable(session, person_id=li.id, now=NOW.astimezone(SHANGHAI))  # same instant
    await mark_unreachable(session, person_id=wang.id, now=NOW + timedelta(hours=1))
    await mark_unreachable(session, person_id=li.id, now=NOW + timedelta(hours=2))  # kept
    by_unit = await unreachable_since(session, since=NOW - timedelta(days=1))
    assert {unit: [p.code for p in people] for unit, people in by_unit.items()} == {
        town.id: ["P0102"],
        office.id: ["P0201"],
    }
    count = await session.exec(select(func.count()).where(col(Person.unreachable_at).is_not(None)))
    assert count.one() == 3
    assert town.id is not None
    assert by_unit[town.id][0].unreachable_at == NOW
