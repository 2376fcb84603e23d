"""In the chat: "谁还没交季度自查" counts people and names the item in words."""

from __future__ import annotations

from datetime import datetime

from tests.handlers.conftest import ZONE, District

SECRETARY = "P0105"  # 城关镇's 联络员


async def test_who_has_not_handed_in_counts_people_and_says_the_item_in_words(
    district: District,
) -> None:
    await district.chat.advance(datetime(2027, 1, 20, 10, 0, tzinfo=ZONE))  # two quarters owed
    text = await district.say(SECRETARY, "谁还没交季度自查")
    head, *lines = text.splitlines()
    assert "【ZC】" not in text
    assert head.startswith(f"📋 城关镇尚未完成季度自查的（共 {len(lines)} 人，"), text
    assert len(lines) == 4 and "陈立新" in text and "刘佳" not in text
    assert all("（2 项）" in line and "2026年第四季度" in line for line in lines), text
    # one light a person, the most pressing item's: never 🔴⚪ stacked
    assert all(line[0] in "🔴🟡⚪" and line[1] == " " for line in lines), text


async def test_an_admins_help_says_pending_and_progress_pick_a_unit(district: District) -> None:
    admin = await district.say("P0001", "/help")
    assert "/pending — 各单位未完成事项（选择单位或写单位编码）" in admin
    assert "/progress — 各单位本季度完成情况图（选择单位或写单位编码）" in admin
    assert "本单位/本人" not in admin and "本单位本季度" not in admin
    assert "/pending — 未完成事项（本单位/本人）" in await district.say(SECRETARY, "/help")
