"""In the chat: two people of one name in one unit are two people in every list and answer."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes

from bot.localchat.chatlog import Sent
from tests.handlers.conftest import District
from tests.handlers.test_admin import workbook

ADMIN, SECRETARY = "P0001", "P0105"
NAMESAKE = ["P0106", " 赵德明 ", "U01", "镇党委委员", "班子成员"]  # P0103 赵德明 is 镇纪委书记


async def _with_namesake(d: District) -> None:
    sent = await d.chat.send_document(d.tg(ADMIN), workbook({"人员": [NAMESAKE]}), "名单.xlsx")
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
