"""FakeBotAPI against a real aiogram Bot and its real aiohttp session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)

from bot.app import build_bot
from bot.config import Settings
from bot.localchat.driver import FAKE_TOKEN
from bot.localchat.fake_api import FakeBotAPI
from bot.telegram.notifier import Notifier

NOW = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="已完成", callback_data="done:1")]]
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI(token=FAKE_TOKEN, now=lambda: NOW)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    settings = Settings(
        BOT_TOKEN=FAKE_TOKEN, BOT_API_URL=fake.base_url, BOT_TIMEZONE="Asia/Shanghai"
    )
    real = build_bot(settings)
    yield real
    await real.session.close()


async def test_get_me_and_send_message(fake: FakeBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "lvze_demo_bot", True)
    first = await bot.send_message(42, "<b>你好</b> &amp; 欢迎", reply_markup=KEYBOARD)
    second = await bot.send_message(
        42, "第二条", reply_parameters=ReplyParameters(message_id=first.message_id)
    )
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.text == "你好 & 欢迎"
    assert first.from_user is not None
    assert first.from_user.id == 123456
    assert first.date == NOW
    assert first.chat.id == 42
    assert isinstance(first.reply_markup, InlineKeyboardMarkup)
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "done:1"
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == 1
    assert [(s.method, s.chat_id, s.message_id) for s in fake.sent] == [
        ("sendMessage", 42, 1),
        ("sendMessage", 42, 2),
    ]
    assert fake.sent[0].text == "<b>你好</b> &amp; 欢迎"
    assert fake.sent[0].plain == "你好 & 欢迎"
    assert fake.sent[0].buttons == [{"text": "已完成", "callback_data": "done:1"}]
    assert fake.sent[1].reply_to_message_id == 1
    assert fake.message(42, 1) is not None


async def test_telegram_refusals(fake: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(42, "长" * 4097)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(42, "<br>换行")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(42, "")
    fake.forbid(7)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(7, "在吗")
    assert await Notifier(bot).send(7, "在吗") == []
    assert fake.sent == []
    assert len(fake.calls_to("sendMessage")) == 5


async def test_unknown_method_answers_404_like_telegram(fake: FakeBotAPI) -> None:
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{fake.base_url}/bot{FAKE_TOKEN}/sendPigeon", json={"chat_id": 1}) as resp,
    ):
        body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{fake.base_url}/bot{FAKE_TOKEN}/getMe") as resp,
    ):
        assert (await resp.json())["result"]["username"] == "lvze_demo_bot"


async def test_flood_control_is_waited_out_by_the_notifier(fake: FakeBotAPI, bot: Bot) -> None:
    fake.flood(1, retry_after=1)
    messages = await Notifier(bot).send(42, "提醒")
    assert [m.text for m in messages] == ["提醒"]
    assert len(fake.calls_to("sendMessage")) == 2
    assert [s.plain for s in fake.sent] == ["提醒"]


async def test_edit_message_text(fake: FakeBotAPI, bot: Bot) -> None:
    message = await bot.send_message(42, "校验中……", reply_markup=KEYBOARD)
    await Notifier(bot).edit(42, message.message_id, "校验完成")
    edited = fake.message(42, message.message_id)
    assert edited is not None
    assert edited["text"] == "校验完成"
    assert "reply_markup" not in edited  # editMessageText without a keyboard removes it
    assert fake.sent[-1].method == "editMessageText"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(chat_id=42, message_id=message.message_id, text="校验完成")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(chat_id=42, message_id=99, text="x")


async def test_documents_and_file_download_round_trip(fake: FakeBotAPI, bot: Bot) -> None:
    file_id = fake.add_file(b"PK\x03\x04workbook", "名单.xlsx")
    file = await bot.get_file(file_id)
    assert file.file_path is not None
    assert file.file_path.endswith(".xlsx")
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"PK\x03\x04workbook"

    sent = await Notifier(bot).send_document(42, data="导出,1\n".encode(), filename="导出.csv")
    assert sent is not None
    assert sent.document is not None
    assert sent.document.file_name == "导出.csv"
    assert (fake.sent[-1].document_name, fake.sent[-1].document) == (
        "导出.csv",
        "导出,1\n".encode(),
    )
    again = await bot.download(sent.document.file_id)
    assert again is not None
    assert again.read() == "导出,1\n".encode()
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_command_menus_per_scope(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="开始")])
    scope = BotCommandScopeChat(chat_id=42)
    await bot.set_my_commands([BotCommand(command="my", description="我的清单")], scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["my"]
    assert fake.commands_for({"type": "chat", "chat_id": 42}) == [
        {"command": "my", "description": "我的清单"}
    ]
    await bot.delete_my_commands(scope=scope)
    assert await bot.get_my_commands(scope=scope) == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="My List", description="x")])


async def test_get_updates_long_polls_pushed_updates(fake: FakeBotAPI, bot: Bot) -> None:
    assert await bot.delete_webhook() is True
    assert await bot.get_updates(offset=0, timeout=0) == []
    waiting = asyncio.create_task(bot.get_updates(offset=0, timeout=5))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    update = {"message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
                          "text": "/start"}}  # fmt: skip
    first = fake.push_update(update)
    got = await asyncio.wait_for(waiting, 3)
    assert [u.update_id for u in got] == [first]
    assert got[0].message is not None
    assert got[0].message.text == "/start"
    second = fake.push_update(update)
    assert [u.update_id for u in await bot.get_updates(offset=first, timeout=0)] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second + 1, timeout=0)] == []
    assert json.loads(json.dumps(fake.calls_to("getUpdates")[-1]))["offset"] == str(second + 1)
