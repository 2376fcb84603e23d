"""In the chat: wording an official would write — settings' own numbers, names without spaces."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.localchat.demo import setup_demo
from bot.localchat.driver import start_local_chat
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, ZONE, District, _settings

ADMIN = "P0001"


@pytest.fixture
async def twelve_days(db_url: str) -> AsyncIterator[District]:
    """The sample district with ESCALATE_ADMIN_AFTER=12."""
    clock = ManualClock(NOW)
    settings = _settings(db_url).model_copy(update={"escalate_admin_after": 12})
    app, fake, chat = await start_local_chat(settings, clock=clock)
    try:
        setup = await setup_demo(app.sessions, data=DISTRICT, now=NOW, zone=ZONE)
        yield District(app, fake, chat, clock, setup)
    finally:
        await chat.stop()


async def test_admin_help_names_the_escalation_setting_in_working_days(district: District) -> None:
    shown = await district.say(ADMIN, "/help")
    assert "/interview — 约谈提醒：逾期超过10个工作日的人员" in shown
    assert "10天" not in shown
    menu = district.fake.commands_for({"type": "chat", "chat_id": district.tg(ADMIN)})
    [interview] = [c["description"] for c in menu if c["command"] == "interview"]
    assert interview == "约谈提醒：逾期超过10个工作日的人员"


async def test_admin_help_follows_a_changed_escalation_setting(twelve_days: District) -> None:
    shown = await twelve_days.say(ADMIN, "/help")
    assert "约谈提醒：逾期超过12个工作日的人员" in shown
