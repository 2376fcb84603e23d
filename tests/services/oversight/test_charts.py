"""Charts: Chinese labels render from the packaged CJK font with no glyph missing."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from matplotlib import font_manager

from bot.services.oversight import charts
from bot.services.oversight.charts import Share, bar_chart, completion_chart

PNG = b"\x89PNG\r\n\x1a\n"
LABELS = ["单位班子", "张三（党委书记）", "李四·纪委书记", "ZT-01 党风廉政建设", "一岗双责"]


def _render_quietly(render: Callable[[], bytes]) -> bytes:
    """Call `render`, failing on any warning (matplotlib warns "Glyph … missing from font")."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = render()
    assert [str(w.message) for w in caught] == []
    return out


def test_the_font_is_the_file_inside_mplfonts_not_a_system_font() -> None:
    path = charts.font_path()
    assert path.is_file()
    assert "mplfonts" in path.parts
    charts.covered()
    found = font_manager.fontManager.findfont(
        font_manager.FontProperties(family=[charts.FONT_FAMILY]), fallback_to_default=False
    )
    assert found == str(path)


def test_the_font_covers_every_character_of_the_labels_and_titles() -> None:
    text = "".join(LABELS) + "某某镇 2026年第4季度完成情况 按人员 按事项 完成率 % 0123456789/（）"
    assert {ch for ch in text if ord(ch) not in charts.covered()} == set()


def test_completion_chart_renders_chinese_without_a_missing_glyph() -> None:
    shares = [Share(label, n, 3) for n, label in enumerate(LABELS)]
    png = _render_quietly(
        lambda: completion_chart(
            title="某某镇 2026年第4季度完成情况",
            panels=[("按人员", shares[:3]), ("按事项", shares[3:])],
        )
    )
    assert png.startswith(PNG)


def test_bar_chart_renders_chinese_without_a_missing_glyph() -> None:
    png = _render_quietly(
        lambda: bar_chart(title="镇（街道）类 得分", labels=LABELS, values=[98, 91.5, 80, 0, 60])
    )
    assert png.startswith(PNG)


def test_a_character_the_font_lacks_is_drawn_as_a_box_not_warned_about() -> None:
    assert charts.drawable("张三😀\x07") == "张三□"
    png = _render_quietly(lambda: bar_chart(title="😀", labels=["王五😀"], values=[50.0]))
    assert png.startswith(PNG)


def test_empty_panels_and_many_bars_still_render() -> None:
    many = [Share(f"事项{n}", n % 2, 1) for n in range(charts.MAX_BARS + 5)]
    png = _render_quietly(
        lambda: completion_chart(title="空", panels=[("按人员", []), ("按事项", many)])
    )
    assert png.startswith(PNG)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        bar_chart(title="x", labels=["a"], values=[])
    with pytest.raises(ValueError, match="panels"):
        completion_chart(title="x", panels=[])


def test_share_rate() -> None:
    assert Share("a", 1, 4).rate == 25.0
    assert Share("a", 0, 0).rate == 0.0
