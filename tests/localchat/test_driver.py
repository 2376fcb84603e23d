"""LocalChat on the production app with the sample district imported (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.clock import ManualClock
from bot.config import Settings
from bot.localchat.demo import DEMO_ID_BASE, DemoSetup, setup_demo
from bot.localchat.driver import ChatError, LocalChat, start_local_chat
from tests.conftest import DISTRICT

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 7, 15, 9, 0, tzinfo=ZONE)
P0101_ITEMS = ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "D01", "D02", "I0101"]


@pytest.fixture
async def local(db_url: str) -> AsyncIterator[tuple[LocalChat, DemoSetup]]:
    settings = Settings(
        BOT_TOKEN="123456:" + "B" * 35,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=db_url,
        BOT_TIMEZONE="Asia/Shanghai",
    )
    app, _, chat = await start_local_chat(settings, clock=ManualClock(START))
    try:
        setup = await setup_demo(app.sessions, data=DISTRICT, now=START, zone=ZONE)
        yield chat, setup
    finally:
        await chat.stop()


def _me(setup: DemoSetup, code: str) -> int:
    telegram_id = setup.people[code].telegram_id
    assert telegram_id is not None
    return telegram_id


async def test_demo_binds_everyone_deterministically_and_idempotently(
    local: tuple[LocalChat, DemoSetup],
) -> None:
    chat, setup = local
    codes = sorted(setup.people)
    assert len(codes) == 40
    assert setup.newly_bound == 40
    assert [setup.people[c].telegram_id for c in codes] == [DEMO_ID_BASE + i for i in range(40)]
    again = await setup_demo(chat.app.sessions, data=DISTRICT, now=START, zone=ZONE)
    assert again.newly_bound == 0
    assert again.people == setup.people
    assert again.summary.changed_nothing


async def test_a_stranger_is_told_how_to_bind(local: tuple[LocalChat, DemoSetup]) -> None:
    chat, _ = local
    sent = await chat.send_text(555, "你好")
    assert [(s.method, s.chat_id) for s in sent] == [("sendMessage", 555)]
    assert "尚未绑定" in sent[0].plain
    assert "邀请码" in sent[0].plain


async def test_p0101_lists_their_items(local: tuple[LocalChat, DemoSetup]) -> None:
    chat, setup = local
    me = _me(setup, "P0101")
    sent = await chat.send_text(me, "/my")
    while (last := sent[-1]).message_id and "下一页 »" in [b["text"] for b in last.buttons]:
        sent += await chat.press(me, last.message_id, "下一页 »")  # /my is paged
    text = "\n".join(s.plain for s in sent if s.method != "answerCallbackQuery")
    assert all(s.chat_id == me for s in sent)
    for code in P0101_ITEMS:
        assert f"【{code}】" in text
    assert "【M01】" not in text
    assert "【I0102】" not in text
    assert "<b>" not in text


async def test_reply_sticker_document_and_duplicate_delivery(
    local: tuple[LocalChat, DemoSetup],
) -> None:
    chat, setup = local
    me = _me(setup, "P0102")
    first = await chat.send_text(me, "/my")
    assert chat.last_update_id is not None
    assert await chat.redeliver(chat.last_update_id) == []
    reply = await chat.send_text(me, "已办理", reply_to=first[0].message_id or 0)
    assert len(reply) == 1 and reply[0].reply_to_message_id is not None
    sticker = await chat.send_sticker(me)
    assert [s.plain for s in sticker] == [texts.NOT_TEXT]
    assert "属于哪一项" in (await chat.send_photo(me))[0].plain
    assert [s.plain for s in await chat.send_voice(me)] == [texts.NOT_TEXT]
    document = await chat.send_document(me, b"a,b\n", "材料.csv")
    assert len(document) == 1
    assert document[0].chat_id == me
    with pytest.raises(ChatError, match="#99"):
        await chat.send_text(me, "x", reply_to=99)


async def test_pressing_buttons(local: tuple[LocalChat, DemoSetup]) -> None:
    chat, setup = local
    me = _me(setup, "P0101")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="已完成", callback_data="old:1")],
            [InlineKeyboardButton(text="网站", url="https://example.org")],
        ]
    )
    [message] = await chat.app.notifier.send(me, "旧消息", reply_markup=keyboard)
    sent = await chat.press(me, message.message_id, "已完成")
    assert [(s.method, s.chat_id, s.show_alert) for s in sent] == [
        ("answerCallbackQuery", me, True)
    ]
    assert sent[0].text == texts.STALE_BUTTON
    assert (await chat.press(me, message.message_id, 1))[0].text == texts.STALE_BUTTON
    with pytest.raises(ChatError, match="只有 2 个按钮"):
        await chat.press(me, message.message_id, 3)
    with pytest.raises(ChatError, match="不是回调按钮"):
        await chat.press(me, message.message_id, "网站")
    with pytest.raises(ChatError, match="没有消息 #77"):
        await chat.press(me, 77, 1)
    plain = await chat.send_text(me, "/help")
    with pytest.raises(ChatError, match="没有按钮"):
        await chat.press(me, plain[0].message_id or 0, 1)


async def test_advance_runs_the_cron_table(local: tuple[LocalChat, DemoSetup]) -> None:
    chat, _ = local
    ran = await chat.advance(datetime(2026, 7, 18, 9, 0, tzinfo=ZONE))
    assert [(moment.astimezone(ZONE).strftime("%m-%d %H:%M"), job) for moment, job in ran] == [
        ("07-16 00:05", "roll_periods"),
        ("07-16 03:30", "prune"),
        ("07-16 09:00", "reminders"),
        ("07-17 00:05", "roll_periods"),
        ("07-17 03:30", "prune"),
        ("07-17 09:00", "reminders"),
        ("07-18 00:05", "roll_periods"),
        ("07-18 03:30", "prune"),
        ("07-18 09:00", "reminders"),
        ("07-18 09:00", "tick"),  # the five-minute tick: a jump replays only its last firing
    ]
    assert chat.clock.now() == datetime(2026, 7, 18, 9, 0, tzinfo=ZONE)
    assert await chat.advance(START) == []
