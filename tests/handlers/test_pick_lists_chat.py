"""In the chat: 改选 and the caption-less photo list offer short labels, and only items 确认 takes."""

from __future__ import annotations

import re

from bot.localchat.driver import Sent
from tests.handlers.conftest import District

FIRST = "P0101"  # 陈立新, 城关镇党委书记
LABEL_MAX = 16  # characters: one row on a phone


def _last_with_buttons(sent: list[Sent]) -> Sent:
    return [s for s in sent if s.buttons][-1]


def _items(message: Sent) -> list[str]:
    return [b["text"] for b in message.buttons if "【" in b["text"]]


async def test_a_reselect_after_a_proposal_asks_which_item_not_that_none_was_found(
    district: District,
) -> None:
    tg = district.tg(FIRST)
    proposal = _last_with_buttons(await district.chat.send_text(tg, "今天与班子成员开展了廉政谈话"))
    assert re.findall(r"【(\w+)】", proposal.plain)[0] == "C05", proposal.plain
    edited = _last_with_buttons(await district.chat.press(tg, proposal.message_id or 0, "改选"))
    assert "没有找到" not in edited.plain, edited.plain
    assert "请选择" in edited.plain
    labels = _items(edited)
    assert labels and not any("【ZC】" in label or "【BG】" in label for label in labels)
    assert max(len(label) for label in labels) <= LABEL_MAX, [
        x for x in labels if len(x) > LABEL_MAX
    ]
    c04 = next(label for label in labels if "【C04】" in label)
    await district.chat.press(tg, edited.message_id or 0, c04)
    confirmed = await district.chat.press(tg, edited.message_id or 0, "确认")
    assert any("已记入履责记实" in s.plain for s in confirmed)


async def test_the_photo_list_offers_short_labels_and_no_self_check(district: District) -> None:
    tg = district.tg(FIRST)
    ask = _last_with_buttons(await district.chat.send_photo(tg))
    labels = _items(ask)
    assert labels and not any("【ZC】" in label or "【BG】" in label for label in labels)
    assert max(len(label) for label in labels) <= LABEL_MAX, [
        x for x in labels if len(x) > LABEL_MAX
    ]
