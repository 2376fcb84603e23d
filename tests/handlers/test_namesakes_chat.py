"""In the chat: two people of one name in one unit are two people in every list and answer."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.texts import exports as export_words
from storage.models import Outbox, Unit
from tests.handlers.conftest import District
from tests.handlers.test_admin import workbook

ADMIN, SECRETARY = "P0001", "P0105"
GROUP = -100123
NAMESAKE = ["P0106", " 赵德明 ", "U01", "镇党委委员", "班子成员"]  # P0103 赵德明 is 镇纪委书记


OWN_ITEM = ["X001", "个性", "主体责任", "P0106", "督促分管领域落实党风廉政建设"]
OWN_ITEM += ["", "", "每年", "03-31", "", "U01", ""]


async def _with_namesake(d: District) -> None:
    change = {"人员": [NAMESAKE], "责任清单": [OWN_ITEM]}
    sent = await d.chat.send_document(d.tg(ADMIN), workbook(change), "名单.xlsx")
    assert any("导入完成" in s.plain for s in sent), [s.plain for s in sent]


def _plain(sent: list[Sent]) -> str:
    return "\n".join(s.plain for s in sent)


async def test_namesakes_are_two_holders_in_unit_progress_questions_and_nudge(
    district: District,
) -> None:
    """A second 赵德明 (typed " 赵德明 ") was merged with the first: /unit showed one 赵德明 with
    both people's items, /progress one bar, /nudge two identical buttons, and the question
    “赵德明还差什么” answered that nobody had that name."""
    d = district
    await _with_namesake(d)
    unit = await d.say_all_pages(SECRETARY, "/unit")
    assert "赵德明（镇纪委书记）" in unit and "赵德明（镇党委委员）" in unit, unit
    [nudge] = [s for s in await d.chat.send_text(d.tg(SECRETARY), "/nudge") if s.buttons]
    labels = [b["text"] for b in nudge.buttons]
    assert len(labels) == len(set(labels)), labels
    assert any("赵德明（镇党委委员）" in label for label in labels), labels
    asked = await d.say(SECRETARY, "赵德明还差什么")
    assert "没有名为" not in asked, asked
    assert "赵德明（镇纪委书记）" in asked and "赵德明（镇党委委员）" in asked, asked


async def test_namesakes_are_two_bars_in_the_progress_chart(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    set_yticks = Axes.set_yticks

    def spy(self: Axes, ticks: Any, labels: Any = None, **kwargs: Any) -> Any:
        drawn.extend(str(label) for label in labels or ())
        return set_yticks(self, ticks, labels, **kwargs)

    monkeypatch.setattr(Axes, "set_yticks", spy)
    await _with_namesake(district)
    sent = await district.chat.send_text(district.tg(SECRETARY), "/progress")
    assert [s for s in sent if s.method == "sendPhoto"], _plain(sent)
    assert "赵德明" not in drawn, drawn  # never the two added up under one name
    assert "赵德明（镇纪委书记）" in drawn and "赵德明（镇党委委员）" in drawn, drawn


async def test_namesakes_are_two_holders_in_the_publicized_list_and_in_interview(
    district: District,
) -> None:
    d = district
    await _with_namesake(d)
    async with d.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U01"))).one()
        unit.group_chat_id = GROUP
        session.add(unit)
        await session.commit()
    [menu] = await d.chat.send_text(d.tg(SECRETARY), "/publicize")
    await d.chat.press(d.tg(SECRETARY), menu.message_id or 0, export_words.KIND_LIST)
    async with d.app.sessions() as session:
        rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    posted = "\n".join(texts.plain(r.text) for r in rows if ":list:" in r.dedupe_key)
    assert "赵德明（镇纪委书记）" in posted and "赵德明（镇党委委员）" in posted, posted
    listing = [s for s in await d.chat.send_text(d.tg(ADMIN), "/interview") if s.buttons]
    while listing[-1].buttons and "下一页 ▶" in [b["text"] for b in listing[-1].buttons]:
        pressed = await d.chat.press(d.tg(ADMIN), listing[-1].message_id or 0, "下一页 ▶")
        listing += [s for s in pressed if s.method != "answerCallbackQuery"]
    shown = _plain(listing)
    people = [b["text"] for s in listing for b in s.buttons if b["text"].startswith("发送约谈")]
    assert len(people) == len(set(people)), people
    assert "赵德明（镇纪委书记）" in shown and "赵德明（镇党委委员）" in shown, shown
