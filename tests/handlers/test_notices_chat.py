"""In the chat: /notices shows sent / failed / 已阅, who has not read a notice by unit, reminds them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.notices.broadcast import NoticeProblem
from bot.services.notices.stats import Ack
from bot.texts import notices as words
from handlers.notices import Nt
from storage.models import DraftState, Leave, Notice, Outbox, Person
from tests.handlers.conftest import NOW, District
from tests.handlers.test_broadcast_chat import ADMIN, draft, forged, press

UNREAD_TOWN = "城关镇（4）：李红霞、赵德明、孙志强、刘佳"


def _message(sent: list[Sent]) -> Sent:
    [found] = [s for s in sent if s.method == "sendMessage"]
    return found


async def _send_to_towns(d: District) -> None:
    menu = await draft(d)
    for button in ("按类别", "镇街类", "完成", "确认发送"):
        await press(d, ADMIN, menu, button)


def _copies(d: District, code: str, mark: str) -> list[Sent]:
    return [s for s in d.fake.sent if s.chat_id == d.tg(code) and mark in s.plain]


async def test_counts_unread_by_unit_and_a_reminder_once_a_day(district: District) -> None:
    d = district
    assert await d.say(ADMIN, "/notices") == texts.plain(words.NO_NOTICES)
    await _send_to_towns(d)
    d.fake.forbid(d.tg("P0304"))  # blocked the bot: that copy fails
    await d.app.sender.drain_once(d.clock.now())
    [copy] = _copies(d, "P0101", "区纪委监委通知")
    assert copy.message_id is not None
    pressed = await press(d, "P0101", copy.message_id, "已阅")
    [marked] = [s for s in pressed if s.method == "editMessageReplyMarkup"]
    assert marked.message_id == copy.message_id and [b["text"] for b in marked.buttons] == [
        "✅ 已阅"
    ]
    pressed_again = await press(d, "P0101", copy.message_id, "✅ 已阅")
    assert [s.text for s in pressed_again] == [words.ACK[Ack.AGAIN]]  # the button says so already

    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/notices"))
    assert "#1 11-23 10:00 通知：请各单位于12月5日前报送年度述责述廉报告。" in listing.plain
    assert "已发 12/13 · 失败 1 · 已阅 1" in listing.plain
    assert [b["text"] for b in listing.buttons] == ["未阅名单 #1"]
    assert listing.message_id is not None
    detail = _message(await press(d, ADMIN, listing.message_id, "未阅名单 #1"))
    assert UNREAD_TOWN in detail.plain
    assert "北园街道（4）：何文斌、马丽娟、林国栋、高敏（未送达）" in detail.plain
    assert "陈立新" not in detail.plain
    assert [b["text"] for b in detail.buttons] == ["提醒未阅人员"]

    assert detail.message_id is not None
    done = _message(await press(d, ADMIN, detail.message_id, "提醒未阅人员"))
    assert done.plain == "已向 12 人发送阅读提醒。"
    await d.app.sender.drain_once(d.clock.now())
    [nudge] = _copies(d, "P0102", "您还没有确认阅读 11月23日的通知")
    assert "请在上方找到" not in nudge.plain and "阅读后请点击下方“已阅”" in nudge.plain
    assert _copies(d, "P0101", "⏰ 提醒") == []
    assert nudge.message_id is not None
    acked = await press(d, "P0102", nudge.message_id, "已阅")
    assert acked[0].text == words.ACK[Ack.DONE]
    again = _message(await press(d, ADMIN, detail.message_id, "提醒未阅人员"))
    assert again.plain == "11 人今天已提醒过，不再重复。"
    d.clock.set(NOW + timedelta(days=1))
    tomorrow = _message(await press(d, ADMIN, detail.message_id, "提醒未阅人员"))
    assert tomorrow.plain == "已向 11 人发送阅读提醒。"
    fresh = _message(await press(d, ADMIN, listing.message_id, "未阅名单 #1"))
    assert "城关镇（3）：赵德明、孙志强、刘佳" in fresh.plain and "已阅 2" in fresh.plain


async def test_older_notices_are_paged(district: District) -> None:
    d = district
    async with d.app.sessions() as session:
        for n in range(12):
            at = NOW - timedelta(hours=n)
            session.add(Notice(author_id=1, text=f"第{12 - n}号通知", created_at=at, sent_at=at))
        session.add(Notice(author_id=1, text="草稿", created_at=NOW, state=DraftState.DRAFT))
        await session.commit()
    first = _message(await d.chat.send_text(d.tg(ADMIN), "/notices"))
    assert "第12号通知" in first.plain and "第3号通知" in first.plain
    assert "第2号通知" not in first.plain and "草稿" not in first.plain
    assert [b["text"] for b in first.buttons][-1] == "下一页"
    assert first.message_id is not None
    second = _message(await press(d, ADMIN, first.message_id, "下一页"))
    assert "第2号通知" in second.plain and "第1号通知" in second.plain
    assert "（第 2 页）" in second.plain and "已发 0/0 · 已阅 0" in second.plain
    assert second.message_id is not None
    back = _message(await press(d, ADMIN, second.message_id, "上一页"))
    assert back.plain == first.plain


async def test_only_admins_see_notices_and_forged_buttons_change_nothing(
    district: District,
) -> None:
    d = district
    await _send_to_towns(d)
    for code in ("P0101", "P0105", "P0204"):
        assert await d.say(code, "/notices") == texts.plain(texts.UNKNOWN_COMMAND)
        for data in (Nt(act="det", id=1).pack(), Nt(act="rem", id=1).pack()):
            answer = await forged(d, code, data)
            assert answer.text == texts.STALE_BUTTON
    missing = await forged(d, ADMIN, Nt(act="rem", id=99).pack())
    assert missing.text == texts.alert(words.refused(NoticeProblem.NOT_FOUND))
    async with d.app.sessions() as session:
        reminders = (
            await session.exec(select(Outbox).where(col(Outbox.dedupe_key).like("notice-remind:%")))
        ).all()
    assert reminders == []
    assert "/notices" in await d.say(ADMIN, "/help")
    assert "/notices" not in await d.say("P0105", "/help")


async def test_a_person_on_leave_is_not_reminded_to_read(district: District) -> None:
    d = district
    await _send_to_towns(d)
    await d.app.sender.drain_once(d.clock.now())
    async with d.app.sessions() as session:
        ids = {
            code: pid
            for code, pid in (await session.exec(select(Person.code, Person.id))).all()
            if pid
        }
        session.add(
            Leave(
                person_id=ids["P0102"],
                starts_on=NOW.date(),
                ends_on=NOW.date() + timedelta(days=5),
                acting_person_id=ids["P0103"],
                created_at=NOW,
            )
        )
        await session.commit()
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/notices"))
    assert listing.message_id is not None
    detail = _message(await press(d, ADMIN, listing.message_id, "未阅名单 #1"))
    assert detail.message_id is not None
    done = _message(await press(d, ADMIN, detail.message_id, "提醒未阅人员"))
    assert done.plain == "已向 12 人发送阅读提醒。1 人正在休假，返岗后再提醒。"
    await d.app.sender.drain_once(d.clock.now())
    assert _copies(d, "P0102", "您还没有确认阅读") == []
