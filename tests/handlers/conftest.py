"""Chat fixtures: the production app on the fake Bot API, with the sample district imported."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.localchat.demo import DemoSetup, setup_demo
from bot.localchat.driver import LocalChat, start_local_chat
from bot.localchat.fake_api import FakeBotAPI
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.replies import ReplyKind, remember
from tests.conftest import DISTRICT

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)


@dataclass
class District:
    """A running bot with the sample district: the driver, the fake server, and who is who."""

    app: App
    fake: FakeBotAPI
    chat: LocalChat
    clock: ManualClock
    setup: DemoSetup | None

    def tg(self, code: str) -> int:
        """The Telegram id the demo bound to a person code."""
        assert self.setup is not None
        telegram_id = self.setup.people[code].telegram_id
        assert telegram_id is not None
        return telegram_id

    async def invite(
        self,
        chat_id: int,
        text: str,
        *,
        kind: ReplyKind,
        person_id: int,
        ref_id: int | None = None,
        due_item_ids: Sequence[int] = (),
    ) -> int:
        """Send `text` and store what a reply to it means, as the bot's own prompts do (for a
        prompt the chat cannot reach any more, e.g. one sent before a rule); its message id."""
        [message] = await self.app.notifier.send(chat_id, text)
        async with self.app.sessions() as session:
            await remember(
                session,
                chat_id=chat_id,
                message_id=message.message_id,
                kind=kind,
                person_id=person_id,
                ref_id=ref_id,
                due_item_ids=due_item_ids,
                now=self.clock.now(),
            )
            await session.commit()
        return message.message_id

    async def say(self, code: str, text: str) -> str:
        """Send text as a person; everything the bot wrote back, joined."""
        sent = await self.chat.send_text(self.tg(code), text)
        return "\n".join(s.plain for s in sent)

    async def say_all_pages(self, code: str, text: str) -> str:
        """Like say, then pressing 下一页 » on the last answer until it has none: every page."""
        sent = await self.chat.send_text(self.tg(code), text)
        while (last := sent[-1]).message_id and "下一页 »" in [b["text"] for b in last.buttons]:
            sent += await self.chat.press(self.tg(code), last.message_id, "下一页 »")
        return "\n".join(s.plain for s in sent if s.method != "answerCallbackQuery")


def _settings(db_url: str) -> Settings:
    return Settings(
        BOT_TOKEN="123456:" + "C" * 35,
        BOT_API_URL="http://127.0.0.1:9",
        DATABASE_URL=db_url,
        BOT_TIMEZONE="Asia/Shanghai",
    )


@pytest.fixture
async def district(db_url: str) -> AsyncIterator[District]:
    """Everyone in the sample district bound (demo ids), the clock at 2026-11-23 10:00."""
    clock = ManualClock(NOW)
    app, fake, chat = await start_local_chat(_settings(db_url), clock=clock)
    try:
        setup = await setup_demo(app.sessions, data=DISTRICT, now=NOW, zone=ZONE)
        yield District(app, fake, chat, clock, setup)
    finally:
        await chat.stop()


@pytest.fixture
async def unbound_district(db_url: str) -> AsyncIterator[District]:
    """The sample district imported, nobody bound yet."""
    clock = ManualClock(NOW)
    app, fake, chat = await start_local_chat(_settings(db_url), clock=clock)
    try:
        async with app.sessions() as session:
            await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
        yield District(app, fake, chat, clock, None)
    finally:
        await chat.stop()
