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
