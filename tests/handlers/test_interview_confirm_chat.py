"""In the chat: a 约谈提醒 confirmation is bound to the people it named; who is away or done is said."""

from __future__ import annotations

from bot.texts import interviews as words
from tests.handlers.conftest import District
from tests.handlers.test_broadcast_chat import ADMIN, press
from tests.handlers.test_interview_chat import LATE, _audits, _confirmed, _message


async def test_a_confirmation_never_sends_to_someone_it_did_not_name(district: District) -> None:
    """After 全部发送 named 17 people, one came back from leave and another left: 确认（17 人）
    sent a formal 约谈提醒 to the one who came back, whom the admin never confirmed."""
    d = district
    await d.say(ADMIN, "/leave 陈立新 11-23 11-30")
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    assert "陈立新" not in listing.plain
    question = _message(
        await press(d, ADMIN, listing.message_id or 0, f"全部发送（{LATE - 1} 人）")
    )
    assert "陈立新" not in question.plain
    await d.say(ADMIN, "/leave cancel 陈立新")
    await d.say(ADMIN, "/leave 何文斌 11-23 11-30")
    again = _message(await press(d, ADMIN, question.message_id or 0, f"确认发送（{LATE - 1} 人）"))
    assert again.plain.startswith(f"名单已有变化，请重新确认。\n确认向以下 {LATE - 1} 人")
    assert "陈立新（城关镇）" in again.plain and "何文斌" not in again.plain
    assert await _audits(d) == []


async def test_everyone_already_reminded_today_is_said_at_once(district: District) -> None:
    """全部发送 on an old list after everyone had theirs today still asked "确认向以下 18 人"."""
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    one = await _confirmed(d, listing.message_id or 0, "发送约谈提醒 · 何文斌")
    assert one.plain.startswith("已向 1 人发送约谈提醒：何文斌")
    rest = _message(await press(d, ADMIN, listing.message_id or 0, f"全部发送（{LATE} 人）"))
    assert rest.plain.startswith(f"确认向以下 {LATE - 1} 人发送正式约谈提醒？")
    assert "何文斌" not in rest.plain and "另有 1 人今天已发送过，不再重复。" in rest.plain
    done = _message(await press(d, ADMIN, rest.message_id or 0, f"确认发送（{LATE - 1} 人）"))
    assert done.plain.startswith(f"已向 {LATE - 1} 人发送约谈提醒")
    old = _message(await press(d, ADMIN, listing.message_id or 0, f"全部发送（{LATE} 人）"))
    assert old.plain.endswith("今天都已发送过约谈提醒，不再重复。") and not old.buttons
    single = _message(await press(d, ADMIN, listing.message_id or 0, "发送约谈提醒 · 何文斌"))
    assert single.plain == "何文斌今天已发送过约谈提醒，不再重复。"
    assert len(await _audits(d)) == LATE


async def test_a_person_on_leave_is_said_to_be_on_leave(district: District) -> None:
    """Their button answered "此人目前没有逾期超过规定期限的事项" although they had some."""
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    await d.say(ADMIN, "/leave 何文斌 11-23 12-04")
    [answer] = [
        s
        for s in await press(d, ADMIN, listing.message_id or 0, "发送约谈提醒 · 何文斌")
        if s.method == "answerCallbackQuery"
    ]
    assert (
        answer.text
        == "此人正在休假（至2026年12月4日），休假期间不发送约谈提醒；返岗后仍逾期的，会再列入名单。"
    )
    assert answer.text != words.NOT_LISTED
    assert await _audits(d) == []
