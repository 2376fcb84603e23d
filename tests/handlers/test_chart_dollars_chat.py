"""In the chat: a "$" in a name is drawn as itself, and a chart that fails never costs the reply."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes
from sqlmodel import col, select

import handlers.ranking
from bot.localchat.chatlog import Sent
from bot.services.oversight import charts
from bot.services.oversight.ranking import Ranked, rank
from storage.models import Category, Unit
from tests.handlers.conftest import District

ADMIN = "P0001"
SORRY = "抱歉，处理时出现问题"


async def _rename_u03(d: District, name: str) -> None:
    async with d.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U03"))).one()
        unit.name = name
        session.add(unit)
        await session.commit()


def _files(sent: list[Sent], suffix: str) -> list[Sent]:
    return [s for s in sent if (s.document_name or "").endswith(suffix)]


async def _scored(*_: Any, **__: Any) -> list[Ranked]:
    """Q3 as if scored: the sample district has no scores yet, and the chart draws scores."""
    return rank(
        [
            Ranked("U02", "城关镇", Category.TOWN, 90.0, None),
            Ranked("U03", "北园$^$街道", Category.TOWN, 80.0, None),
        ]
    )


async def _ranking_q3(d: District) -> list[Sent]:
    [menu] = await d.chat.send_text(d.tg(ADMIN), "/ranking")
    return await d.chat.press(d.tg(ADMIN), menu.message_id or 0, "2026 Q3")


async def test_a_dollar_in_a_unit_name_no_longer_breaks_units_ranking_and_progress(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`北园$^$街道` was read as matplotlib mathtext: /units, /ranking and /progress answered
    "抱歉" and the ranking workbook was never sent; `北园$街道$` was drawn as "北园▯▯"."""
    drawn: list[str] = []
    set_yticks = Axes.set_yticks

    def spy(self: Axes, ticks: Any, labels: Any = None, **kwargs: Any) -> Any:
        result = set_yticks(self, ticks, labels, **kwargs)
        labels_now = self.get_yticklabels()
        shown = [t._preprocess_math(t.get_text()) for t in labels_now]  # type: ignore[attr-defined]
        drawn.extend(text for text, math in shown if not math)  # as drawn, mathtext left out
        return result

    monkeypatch.setattr(Axes, "set_yticks", spy)
    monkeypatch.setattr(handlers.ranking, "quarter_ranking", _scored)
    await _rename_u03(district, "北园$^$街道")
    units = await district.chat.send_text(district.tg(ADMIN), "/units")
    assert SORRY not in "\n".join(s.plain for s in units)
    assert _files(units, ".png")
    ranked = await _ranking_q3(district)
    assert SORRY not in "\n".join(s.plain for s in ranked)
    assert _files(ranked, ".png") and _files(ranked, ".xlsx")
    progress = await district.chat.send_text(district.tg(ADMIN), "/progress U03")
    assert SORRY not in "\n".join(s.plain for s in progress)
    assert [s for s in progress if s.method == "sendPhoto"]

    await _rename_u03(district, "北园$街道$")
    drawn.clear()
    await district.chat.send_text(district.tg(ADMIN), "/units")
    assert "北园$街道$" in drawn, drawn  # the label as typed: no mathtext
    assert charts.drawable("北园$街道$") == r"北园\$街道\$"


async def test_a_chart_that_fails_still_leaves_the_text_and_the_workbook(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> bytes:
        raise ValueError("cannot draw")

    monkeypatch.setattr(handlers.ranking, "quarter_ranking", _scored)
    monkeypatch.setattr(charts, "ranking_chart", broken)
    monkeypatch.setattr(charts, "completion_chart", broken)
    monkeypatch.setattr("bot.services.oversight.progress.completion_chart", broken)
    ranked = await _ranking_q3(district)
    assert SORRY not in "\n".join(s.plain for s in ranked)
    assert _files(ranked, ".xlsx") and not _files(ranked, ".png")
    units = await district.chat.send_text(district.tg(ADMIN), "/units")
    assert units[0].plain.startswith("各单位2026年第四季度完成情况")
    assert SORRY not in "\n".join(s.plain for s in units)
    progress = await district.chat.send_text(district.tg(ADMIN), "/progress U01")
    assert SORRY not in "\n".join(s.plain for s in progress)
    assert any("城关镇" in s.plain for s in progress if s.method == "sendMessage")
