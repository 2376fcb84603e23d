"""In the chat: heavy views never make another chat wait, say they are coming, and build once.

The build is held inside its worker step (the chart, the comparison, the workbook) by a
threading.Event the test owns: the database, the handlers and the Dispatcher are the real ones.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.oversight import charts, duplicates
from bot.texts import exports as export_words
from handlers import admin as admin_handlers
from handlers import exports as export_handlers
from tests.handlers.conftest import District
from tests.handlers.test_admin import workbook

ADMIN, SECRETARY = "P0001", "P0105"
HELD = 10.0  # seconds a held step waits for the test at most


class Gate:
    """Wraps a CPU-bound step: each call says it entered, then waits until the test opens it."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.calls = 0
        self.timed_out = False  # the step waited HELD seconds: the test could not open it

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.entered.set()
        if not self.opened.wait(HELD):
            self.timed_out = True
        return self.real(*args, **kwargs)

    async def wait_entered(self) -> None:
        assert await asyncio.to_thread(self.entered.wait, HELD), "the build never started"


@pytest.fixture
def gates() -> Iterator[list[Gate]]:
    """Every gate made in a test is opened at its end (no worker thread left waiting)."""
    made: list[Gate] = []
    yield made
    for gate in made:
        gate.opened.set()


def gate(monkeypatch: pytest.MonkeyPatch, gates: list[Gate], owner: object, name: str) -> Gate:
    held = Gate(getattr(owner, name))
    monkeypatch.setattr(owner, name, held)
    gates.append(held)
    return held


def actions(d: District, who: str) -> list[str]:
    return [
        str(p.get("action"))
        for p in d.fake.calls_to("sendChatAction")
        if p.get("chat_id") in (d.tg(who), str(d.tg(who)))
    ]


async def test_a_second_units_while_one_is_built_is_refused_and_builds_nothing(
    district: District, monkeypatch: pytest.MonkeyPatch, gates: list[Gate]
) -> None:
    d = district
    chart = gate(monkeypatch, gates, charts, "completion_chart")
    first = asyncio.create_task(d.chat.send_text(d.tg(ADMIN), "/units"))
    await chart.wait_entered()
    assert actions(d, ADMIN) == ["upload_document"]  # shown at once, before the chart is ready

    again = await asyncio.wait_for(d.chat.send_text(d.tg(ADMIN), "/units"), 5)
    assert [s.plain for s in again] == [texts.plain(texts.STILL_BUILDING)]
    assert chart.calls == 1

    chart.opened.set()
    sent = await asyncio.wait_for(first, HELD)
    assert [s.document_name for s in sent if s.method == "sendDocument"] == [
        "完成率-2026年第四季度.png"
    ]
    assert not chart.timed_out

    after = await d.chat.send_text(d.tg(ADMIN), "/units")  # done: the next press builds again
    assert any(s.method == "sendDocument" for s in after)
    assert chart.calls == 2


async def test_help_is_answered_while_duplicates_compares(
    district: District, monkeypatch: pytest.MonkeyPatch, gates: list[Gate]
) -> None:
    d = district
    compare = gate(monkeypatch, gates, duplicates, "find_pairs")
    building = asyncio.create_task(d.chat.send_text(d.tg(ADMIN), "/duplicates"))
    await compare.wait_entered()

    started = asyncio.get_running_loop().time()
    reply = await asyncio.wait_for(d.say(SECRETARY, "/help"), 5)
    assert "/pending" in reply
    assert asyncio.get_running_loop().time() - started < 1.0
    assert not compare.timed_out  # /help came while the comparison was still held

    compare.opened.set()
    sent = await asyncio.wait_for(building, HELD)
    assert not compare.timed_out  # opened by the test after /help, not by its own timeout
    assert any(s.chat_id == d.tg(ADMIN) and s.method == "sendMessage" for s in sent)
    assert actions(d, ADMIN) == ["typing"]


async def press(d: District, who: str, message: Sent, label: str) -> list[Sent]:
    assert message.message_id is not None
    return await d.chat.press(d.tg(who), message.message_id, label)


async def test_a_second_export_press_while_one_is_built_is_told_to_wait(
    district: District, monkeypatch: pytest.MonkeyPatch, gates: list[Gate]
) -> None:
    d = district
    workbook = gate(monkeypatch, gates, export_handlers, "build_workbook")
    [years] = await d.chat.send_text(d.tg(SECRETARY), "/export")
    [_toast, quarters] = await press(d, SECRETARY, years, "2026年")
    first = asyncio.create_task(press(d, SECRETARY, quarters, export_words.WHOLE_YEAR))
    await workbook.wait_entered()

    again = await asyncio.wait_for(press(d, SECRETARY, quarters, export_words.WHOLE_YEAR), 5)
    assert [(s.method, s.plain, s.show_alert) for s in again] == [
        ("answerCallbackQuery", texts.plain(texts.STILL_BUILDING), True)
    ]
    assert workbook.calls == 1

    workbook.opened.set()
    sent = await asyncio.wait_for(first, HELD)
    assert [s.method for s in sent if s.chat_id == d.tg(SECRETARY)][-1] == "sendDocument"
    assert "upload_document" in actions(d, SECRETARY)


async def test_a_units_for_another_quarter_is_built_not_dropped(
    district: District, monkeypatch: pytest.MonkeyPatch, gates: list[Gate]
) -> None:
    """Only the same request waits: /units 2026-Q3 sent while this quarter's is held is built
    (it was answered 正在生成… and never came)."""
    d = district
    chart = gate(monkeypatch, gates, charts, "completion_chart")
    first = asyncio.create_task(d.chat.send_text(d.tg(ADMIN), "/units"))
    await chart.wait_entered()
    other = asyncio.create_task(d.chat.send_text(d.tg(ADMIN), "/units 2026-Q3"))
    await asyncio.sleep(0.5)
    chart.opened.set()
    await asyncio.wait_for(first, HELD)
    await asyncio.wait_for(other, HELD)
    sent = [s for s in d.fake.sent if s.chat_id == d.tg(ADMIN)]
    assert sorted(s.document_name or "" for s in sent if s.method == "sendDocument") == [
        "完成率-2026年第三季度.png",
        "完成率-2026年第四季度.png",
    ]
    assert texts.plain(texts.STILL_BUILDING) not in [s.plain for s in sent]
    assert chart.calls == 2


async def test_a_second_workbook_during_an_import_is_named_as_not_imported(
    district: District, monkeypatch: pytest.MonkeyPatch, gates: list[Gate]
) -> None:
    """A corrected workbook sent while the first still imports was told 正在生成… 不必重复发送 and
    thrown away: the admin believed it would be applied."""
    d = district
    check = gate(monkeypatch, gates, admin_handlers, "has_assessment_sheet")
    first = asyncio.create_task(d.chat.send_document(d.tg(ADMIN), workbook(), "A.xlsx"))
    await check.wait_entered()
    second = await asyncio.wait_for(d.chat.send_document(d.tg(ADMIN), workbook(), "B-更正.xlsx"), 5)
    assert [s.plain for s in second] == [
        texts.plain(texts.STILL_IMPORTING.format(name="B-更正.xlsx"))
    ]
    check.opened.set()
    await asyncio.wait_for(first, HELD)
    assert check.calls == 1
