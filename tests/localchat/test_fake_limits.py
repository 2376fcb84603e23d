"""The fake Bot API's opt-in Telegram limits: 30/s overall, 1/s per private chat (burst 3), 20/min per group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from bot.app import build_bot
from bot.config import Settings
from bot.localchat.driver import FAKE_TOKEN
from bot.localchat.fake_api import FakeBotAPI
from bot.localchat.limits import TelegramLimits


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


async def _served(enforce: bool) -> tuple[FakeBotAPI, Bot]:
    fake = FakeBotAPI(token=FAKE_TOKEN, enforce_limits=enforce)
    await fake.start()
    settings = Settings(BOT_TOKEN=FAKE_TOKEN, BOT_API_URL=fake.base_url)
    return fake, build_bot(settings)


@pytest.fixture
async def strict() -> AsyncIterator[tuple[FakeBotAPI, Bot]]:
    fake, bot = await _served(True)
    yield fake, bot
    await bot.session.close()
    await fake.stop()


def test_more_than_thirty_a_second_overall_is_refused() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    assert [limits.admit(1000 + n) for n in range(30)] == [None] * 30
    assert limits.admit(2000) == 1
    clock.now += 0.5
    assert limits.admit(2001) == 1  # still 30 in the last second
    clock.now += 0.5
    assert limits.admit(2002) is None
    assert (limits.accepted, limits.refused) == (31, 2)


def test_a_private_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    assert [limits.admit(7) for _ in range(3)] == [None] * 3
    assert limits.admit(7) == 1
    clock.now += 0.95  # within the 0.1 s a client's clock and the network may be off
    assert limits.admit(7) is None
    clock.now += 0.5
    assert limits.admit(7) == 1
    clock.now += 0.6
    assert limits.admit(7) is None
    assert limits.admit(8) is None  # another chat is not affected


def test_a_group_gets_twenty_a_minute() -> None:
    clock = Clock()
    limits = TelegramLimits(clock)
    for _ in range(20):
        assert limits.admit(-100500) is None
        clock.now += 1
    assert limits.admit(-100500) == 40  # the first of the twenty leaves the window in 40 s
    clock.now += 40
    assert limits.admit(-100500) is None


async def test_the_fake_answers_429_with_retry_after_only_when_asked_to_enforce(
    strict: tuple[FakeBotAPI, Bot],
) -> None:
    fake, bot = strict
    for _ in range(3):
        await bot.send_message(42, "你好")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(42, "你好")
    assert refused.value.retry_after == 1
    assert fake.limits is not None
    assert fake.limits.refused == 1
    assert len(fake.sent) == 3

    lenient, bot2 = await _served(False)
    try:
        results = await asyncio.gather(*(bot2.send_message(42, f"第{n}条") for n in range(50)))
        assert len(results) == 50
        assert lenient.limits is None
    finally:
        await bot2.session.close()
        await lenient.stop()
