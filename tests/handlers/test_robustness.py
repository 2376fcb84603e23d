"""Bad input and bad luck: duplicates, non-text, crashes, long replies, blocked chats, new periods."""

from __future__ import annotations

import csv
import logging
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import text
from sqlmodel import col, func, select

from bot import texts
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from storage.models import DueItem
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, ZONE, District


async def test_a_second_delivery_of_the_same_update_is_dropped(district: District) -> None:
    first = await district.chat.send_text(district.tg("P0101"), "/my")
    assert "【C01】" in first[0].plain
    assert await district.chat.redeliver() == []


@pytest.mark.parametrize("kind", ["sticker", "voice"])
async def test_non_text_gets_a_hint_to_write(district: District, kind: str) -> None:
    send = getattr(district.chat, f"send_{kind}")
    sent = await send(district.tg("P0101"))
    assert [s.plain for s in sent] == [texts.plain(texts.NOT_TEXT)]


async def test_free_text_and_unknown_commands_are_answered(district: District) -> None:
    reply = await district.say("P0101", "今天上午召开党委会专题研究了党风廉政建设")
    assert reply.startswith("拟记入：【C01】")
    assert await district.say("P0102", "/nosuch") == texts.plain(texts.UNKNOWN_COMMAND)


async def test_a_crash_gets_a_clear_reply_and_the_trace_goes_to_the_log(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    async with district.app.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE holding RENAME TO holding_gone"))
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        reply = await district.say_all_pages("P0101", "/my")
    assert reply == texts.plain(texts.ERROR)
    assert "Traceback" not in reply
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.exc_info is not None


async def test_a_list_of_many_long_items_is_paged_each_page_within_limits(
    district: District, tmp_path: Path
) -> None:
    folder = tmp_path / "district"
    shutil.copytree(DISTRICT, folder)
    with (folder / "items.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for n in range(60):
            content = f"第{n}项个性责任：" + "认真落实党风廉政建设主体责任，" * 5
            writer.writerow(
                [
                    f"X{n:03d}",
                    "个性",
                    "主体责任",
                    "P0101",
                    content,
                    "",
                    "",
                    "每季度",
                    "",
                    "",
                    "U01",
                    "",
                ]
            )
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    pages = (await district.say_all_pages("P0101", "/my")).split("📋 陈立新的责任清单")[1:]
    assert len(pages) >= 2
    assert all(len(page) <= 4096 and len(page.splitlines()) <= 30 for page in pages)
    codes = re.findall(r"【(\w+)】", "\n".join(pages))
    assert len(codes) == len(set(codes)) == 74  # 72 items and the built-in ZC and BG


async def test_a_blocked_chat_loses_nothing_else(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    district.fake.forbid(district.tg("P0101"))
    with caplog.at_level(logging.INFO, logger="bot.telegram.notifier"):
        assert await district.chat.send_text(district.tg("P0101"), "/my") == []
    assert "blocked the bot" in caplog.text
    assert "【M01】" in await district.say_all_pages("P0102", "/my")


async def test_moving_into_a_new_quarter_rolls_the_due_items(district: District) -> None:
    ran = await district.chat.advance(datetime(2027, 1, 1, 9, 0, tzinfo=ZONE))
    assert ("roll_periods" in {job for _, job in ran}) and ("prune" in {job for _, job in ran})
    async with district.app.sessions() as session:
        count = (
            await session.exec(
                select(func.count())
                .select_from(DueItem)
                .where(col(DueItem.period_key) == "2027-Q1")
            )
        ).one()
    assert count > 0
    reply = await district.say_all_pages("P0101", "/my")
    assert "2027年第一季度 · 截止 2027-03-31" in reply
    assert "2027年1月 · 截止 2027-02-01（1月31日逢周末顺延）" in reply  # a Sunday


async def _old_keyboard_message(district: District, chat_id: int) -> int:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="已完成", callback_data="old:1")]]
    )
    [message] = await district.app.notifier.send(chat_id, "旧消息", reply_markup=keyboard)
    return message.message_id


async def test_a_stranger_pressing_an_old_button_gets_a_plain_short_alert(
    district: District,
) -> None:
    stranger = 4_242_4242
    message_id = await _old_keyboard_message(district, stranger)
    [answer] = await district.chat.press(stranger, message_id, 1)
    assert answer.method == "answerCallbackQuery"
    assert answer.text == texts.STRANGER_ALERT
    assert "<" not in (answer.text or "")


def test_alerts_are_plain_and_fit_telegrams_limit() -> None:
    long = texts.alert("<b>很长</b>的说明。" * 40)
    assert "<" not in long
    assert len(long) <= texts.ALERT_LIMIT
    assert long.endswith("。")
    assert texts.alert("短句") == "短句"


async def test_html_telegram_refuses_is_sent_unformatted_not_lost(
    district: District, caplog: pytest.LogCaptureFixture
) -> None:
    chat_id = district.tg("P0101")
    mark = district.fake.mark()
    with caplog.at_level(logging.ERROR, logger="bot.telegram.notifier"):
        sent = await district.app.notifier.send(chat_id, "【C01】<x>未转义</x>")
    assert len(sent) == 1
    [record] = district.fake.sent_since(mark)
    assert record.parse_mode is None
    assert record.plain == "【C01】<x>未转义</x>"
    assert "HTML refused" in caplog.text
