"""Exactly-once updates, no database connection held while Telegram makes us wait, bounded flood waits."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiogram.exceptions import TelegramBadRequest
from sqlalchemy import text
from sqlmodel import col, select, update

from bot import texts
from bot.localchat.chatlog import Json
from storage.models import Person, ProcessedUpdate, Record
from tests.handlers.conftest import District
from tests.handlers.test_reply_meaning import _card


async def _claims(district: District) -> set[int]:
    async with district.app.sessions() as session:
        return set((await session.exec(select(ProcessedUpdate.update_id))).all())


async def test_a_failed_handler_leaves_no_claim_and_a_redelivery_is_handled(
    district: District,
) -> None:
    async with district.app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE holding RENAME TO holding_gone"))
    reply = await district.say("P0101", "/my")
    assert reply == texts.plain(texts.ERROR)
    failed = district.chat.last_update_id
    assert failed not in await _claims(district)

    async with district.app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE holding_gone RENAME TO holding"))
    again = await district.chat.redeliver()
    assert "【C01】" in again[0].plain
    assert failed in await _claims(district)
    assert await district.chat.redeliver() == []


async def test_no_pooled_connection_is_held_while_a_reply_is_sent(district: District) -> None:
    pool = district.app.engine.pool
    held: list[int] = []

    def observe(method: str, _params: Json) -> None:
        if method.lower() == "sendmessage":
            held.append(pool.checkedout())  # type: ignore[attr-defined]

    district.fake.observers.append(observe)
    for code, command in (("P0101", "/my"), ("P0105", "/unit"), ("P0101", "/help")):
        await district.say(code, command)
    assert held
    assert held == [0] * len(held)


async def test_twenty_users_under_flood_control_all_get_their_list(district: District) -> None:
    district.fake.flood(5, retry_after=1)  # each 429 pauses everyone: five pauses
    people = ["P0101", "P0102", "P0103", "P0104", "P0105"] * 4
    replies = await asyncio.gather(*(district.say(code, "/my") for code in people))
    assert all("的责任清单" in reply for reply in replies)


async def test_no_wait_after_the_last_flood_answer_and_the_loss_is_logged(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    district.fake.flood(4, retry_after=1)
    mark = district.fake.mark()
    with caplog.at_level(logging.WARNING, logger="bot.telegram.notifier"):
        sent = await district.app.notifier.send(district.tg("P0101"), "通知")
    assert sent == []
    assert len(district.fake.sent_since(mark)) == 0
    waits = [r for r in caplog.records if "waiting" in r.getMessage()]
    assert len(waits) == 3  # four attempts: three waits, none after the last
    [lost] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "NOT delivered" in lost.getMessage()


async def test_a_flood_wait_beyond_the_budget_is_not_waited(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    district.fake.flood(1, retry_after=3600)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.notifier"):
        sent = await asyncio.wait_for(
            district.app.notifier.send(district.tg("P0101"), "通知"), timeout=10
        )
    assert sent == []
    assert any(r.levelno == logging.ERROR for r in caplog.records)


async def test_the_parts_a_flood_stopped_are_logged_not_dropped_silently(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    long_text = "\n".join(f"第{n}行 " + "字" * 90 for n in range(120))  # three parts
    district.fake.flood(4, retry_after=1)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.notifier"):
        sent = await district.app.notifier.send(district.tg("P0101"), long_text)
    assert sent == []
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "NOT delivered" in messages
    assert "parts 2–3 of 3 not sent" in messages


async def test_a_long_list_of_red_lights_is_split_by_telegrams_utf16_count(
    district: District,
) -> None:
    lines = [f"🔴 【C{n:02d}】带头讲廉政党课，每年不少于1次 · 已逾期 {n} 天" for n in range(200)]
    text = "\n".join(lines)
    assert len(text) < 2 * 4096 < len(text.encode("utf-16-le"))  # fits by characters, not units
    sent = await district.app.notifier.send(district.tg("P0101"), text)
    assert len(sent) >= 2
    assert all(len((m.text or "").encode("utf-16-le")) // 2 <= 4096 for m in sent)
    assert "\n".join(m.text or "" for m in sent) == text


async def test_someone_marked_unreachable_who_writes_again_is_reachable(district: District) -> None:
    async with district.app.sessions() as session:
        await session.exec(
            update(Person)
            .where(col(Person.code) == "P0101")
            .values(unreachable_at=datetime(2026, 11, 20, tzinfo=UTC))
        )
        await session.commit()
    assert "的责任清单" in await district.say("P0101", "/my")
    async with district.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == "P0101"))).one()
    assert person.unreachable_at is None


async def test_a_reply_lost_after_the_work_was_saved_is_owned_up_to_on_redelivery(
    district: District,
) -> None:
    """The record commits before Telegram is asked to send its confirmation (no connection is
    held meanwhile); when that reply fails (here: Telegram refuses it and the apology too; in
    production: the worker is killed), the redelivered update records nothing again and says
    that the reply may have been lost, once."""
    d, tg = district, district.tg("P0101")
    card = await _card(d, "P0101", "C03")
    d.fake.fail(2, code=400, description="Bad Request: message is too long")
    sentence = "与班子成员签订了党风廉政建设目标责任书"
    with pytest.raises(TelegramBadRequest):  # the error router's apology failed too
        await d.chat.send_text(tg, sentence, reply_to=card.message_id)
    cut = d.chat.last_update_id
    async with d.app.sessions() as session:
        records = (await session.exec(select(Record))).all()
        claim = await session.get(ProcessedUpdate, cut)
    assert len(records) == 1 and claim is not None and claim.finished is False
    again = await d.chat.redeliver()
    assert [s.plain for s in again] == [texts.plain(texts.CUT_SHORT)]
    assert await d.chat.redeliver() == []
    async with d.app.sessions() as session:
        assert len((await session.exec(select(Record))).all()) == 1
    normal = await d.say("P0101", "/help")
    assert normal and d.chat.last_update_id in await _claims(d)
    assert await d.chat.redeliver() == []  # a finished update stays silent
