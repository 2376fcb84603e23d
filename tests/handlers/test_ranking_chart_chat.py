"""In the chat: the ranking chart of many units draws every category, its top and its bottom."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes

import handlers.ranking
from bot.services.oversight.ranking import Ranked, rank
from storage.models import Category
from tests.handlers.conftest import District

ADMIN = "P0001"
PER_CATEGORY = 75  # 300 units in all


def _district_of_300(**_: Any) -> list[Ranked]:
    return rank(
        [
            Ranked(f"X{c}{n:03d}", f"{category.value[:2]}{n:03d}", category, 100.0 - n / 2, None)
            for c, category in enumerate(Category)
            for n in range(PER_CATEGORY)
        ]
    )


async def test_the_ranking_chart_of_300_units_draws_each_category_top_and_bottom(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    set_yticks = Axes.set_yticks

    def spy(self: Axes, ticks: Any, labels: Any = None, **kwargs: Any) -> Any:
        drawn.extend(str(label) for label in labels or ())
        return set_yticks(self, ticks, labels, **kwargs)

    async def ranking(*_: Any, **kwargs: Any) -> list[Ranked]:
        return _district_of_300(**kwargs)

    monkeypatch.setattr(Axes, "set_yticks", spy)
    monkeypatch.setattr(handlers.ranking, "quarter_ranking", ranking)
    [menu] = await district.chat.send_text(district.tg(ADMIN), "/ranking")
    pressed = await district.chat.press(district.tg(ADMIN), menu.message_id or 0, "2026 Q3")
    charts = [s for s in pressed if (s.document_name or "").endswith(".png")]
    assert charts, [s.method for s in pressed]
    shown = "\n".join(drawn)
    for category in Category:
        prefix = category.value[:2]
        assert f"{prefix}000" in shown, (category, drawn)  # its first
        assert f"{prefix}{PER_CATEGORY - 1:03d}" in shown, (category, drawn)  # its last
    assert len(drawn) <= 4 * 20 + 4, len(drawn)
