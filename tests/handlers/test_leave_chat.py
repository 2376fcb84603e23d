"""In the chat: admins and 联络员 set, list and cancel leave; the acting person is told."""

from __future__ import annotations

import json

from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.texts import leave as leave_texts
from storage.models import AuditEntry, Leave, Person
from tests.handlers.conftest import NOW, District


def _to(sent: list[Sent], chat_id: int) -> str:
    return "\n".join(s.plain for s in sent if s.chat_id == chat_id and s.method == "sendMessage")


async def _delivered(d: District, code: str) -> str:
    """What the outbox delivered to `code` so far (the acting person's notes are queued, as every
    bulk message is: kept through an outage, sent in the sending window)."""
    await d.app.sender.drain_once(d.clock.now())
    return "\n".join(s.plain for s in d.fake.sent if s.chat_id == d.tg(code) and s.plain)


async def _leaves(d: District) -> list[Leave]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Leave).order_by(col(Leave.id)))).all())


async def test_an_admin_sets_lists_and_cancels_a_leave_and_the_acting_person_is_told(
    district: District,
) -> None:
    d = district
    sent = await d.chat.send_text(d.tg("P0001"), "/leave P0102 2026-12-01 2026-12-10 P0103")
    reply = _to(sent, d.tg("P0001"))
    assert reply.startswith("✅ 已登记：李红霞（P0102）12月1日–12月10日请假")
    assert "提醒改发赵德明（P0103）" in reply
    assert "已通知代办人" in reply
    assert _to(sent, d.tg("P0103")) == ""  # queued, not sent from the handler
    note = await _delivered(d, "P0103")
    assert note.startswith("您将在12月1日–12月10日代李红霞接收履责提醒（周建国登记）")
    assert _to(sent, d.tg("P0102")) == ""

    listed = await d.say("P0001", "/leave")
    assert "全区进行中和将来的请假（1 项）" in listed
    assert "李红霞（P0102，城关镇）12月1日–12月10日 · 代办人赵德明（P0103）" in listed
    assert "/leave cancel P0102" in listed  # the usage follows the list

    sent = await d.chat.send_text(d.tg("P0001"), "/leave cancel P0102")
    assert _to(sent, d.tg("P0001")).startswith("✅ 已取消李红霞（P0102）的请假：12月1日–12月10日")
    assert "不再代其接收履责提醒" in await _delivered(d, "P0103")
    assert "全区目前没有进行中或将来的请假登记" in await d.say("P0001", "/leave")
    [leave] = await _leaves(d)
    assert leave.cancelled_at is not None
    async with d.app.sessions() as session:
        actions = (await session.exec(select(AuditEntry.action, AuditEntry.detail))).all()
    leave_rows = [(a, json.loads(detail)) for a, detail in actions if a.startswith("leave_")]
    assert [a for a, _ in leave_rows] == ["leave_set", "leave_cancel"]
    assert leave_rows[0][1]["acting"] == "P0103"


async def test_a_secretary_manages_their_own_unit_only(district: District) -> None:
    d = district
    sent = await d.chat.send_text(d.tg("P0105"), "/leave P0104 12-05 12-08 P0101")
    assert _to(sent, d.tg("P0105")).startswith("✅ 已登记：孙志强（P0104）12月5日–12月8日请假")
    assert "代孙志强接收履责提醒（刘佳登记）" in await _delivered(d, "P0101")
    elsewhere = await d.say("P0105", "/leave P0201 12-05 12-08")
    unknown = await d.say("P0105", "/leave P9999 12-05 12-08")
    assert "本单位（城关镇）没有在册人员“P0201”" in elsewhere
    assert elsewhere.replace("P0201", "＊") == unknown.replace("P9999", "＊")
    assert "没有在册人员“P0201”" in await d.say("P0105", "/leave P0102 12-05 12-08 P0201")
    assert "城关镇进行中和将来的请假（1 项）" in await d.say("P0105", "/leave")
    other_unit = await d.say("P0204", "/leave")
    assert "河西街道目前没有进行中或将来的请假登记" in other_unit
    assert "孙志强" not in other_unit
    assert "本单位（河西街道）没有在册人员“P0104”" in await d.say("P0204", "/leave cancel P0104")
    mine = await d.say("P0105", "/leave P0105 12-14 12-18")  # their own leave, no acting person
    assert "未指定代办人：期间其事项的提醒暂停" in mine
    assert len(await _leaves(d)) == 2


async def test_officials_cannot_use_leave(district: District) -> None:
    for person in ("P0101", "P0103"):
        reply = await district.say(person, "/leave P0102 12-01 12-10")
        assert reply == texts.plain(texts.UNKNOWN_COMMAND)
    assert "/leave" not in await district.say("P0101", "/help")
    assert "/leave" in await district.say("P0105", "/help")
    assert "/leave" in await district.say("P0001", "/help")
    assert await _leaves(district) == []


async def test_wrong_shapes_get_the_usage_and_refusals_say_what_to_do(district: District) -> None:
    usage = texts.plain(leave_texts.USAGE)
    for command in ("/leave P0102", "/leave P0102 12-01", "/leave cancel", "/leave a b c d e"):
        assert await district.say("P0001", command) == usage, command
    bad = await district.say("P0001", "/leave P0102 2026-13-01 2026-12-10")
    assert bad.startswith("看不懂日期“2026-13-01”：请写 2026-12-01，或只写月-日如 12-01。")
    assert bad.endswith(usage)
    cases = {
        "/leave P0102 12-10 12-01": "结束日期 2026-12-01 早于开始日期 2026-12-10",
        "/leave P0102 2026-11-01 2026-11-20": "结束日期 2026-11-20 已过去",
        "/leave P0102 2026-12-01 2027-12-02": "共 367 天，超过 366 天",
        "/leave P0102 12-01 12-10 P0102": "代办人不能是请假人本人",
        "/leave P0102 12-01 12-10 P9999": "未找到代办人编码“P9999”",
        "/leave cancel P0102": "李红霞（P0102）没有进行中或将来的请假登记",
    }
    for command, expected in cases.items():
        assert expected in await district.say("P0001", command), command
    await district.say("P0001", "/leave P0102 12-01 12-10 P0103")
    overlap = await district.say("P0001", "/leave P0102 12-08 12-20")
    assert "李红霞（P0102）已登记 2026-12-01 至 2026-12-10 的请假" in overlap
    assert len(await _leaves(district)) == 1


async def test_a_leave_is_set_by_names_with_buttons_when_two_share_one(district: District) -> None:
    """/leave 赵德明 12-28 12-30 孙志强 answered "本单位（城关镇）没有在册人员“赵德明”": a 联络员
    knows names, not codes."""
    d = district
    sent = await d.chat.send_text(d.tg("P0105"), "/leave 赵德明 12-28 12-30 孙志强")
    reply = _to(sent, d.tg("P0105"))
    assert reply.startswith("✅ 已登记：赵德明（P0103）12月28日–12月30日请假"), reply
    assert "提醒改发孙志强（P0104）" in reply
    assert "代赵德明接收履责提醒" in await _delivered(d, "P0104")

    async with d.app.sessions() as session:  # a second 孙志强, in 河西街道
        other = (await session.exec(select(Person).where(Person.code == "P0201"))).one()
        other.name = "孙志强"
        session.add(other)
        await session.commit()
    assert "孙志强（P0104）" in await d.say("P0105", "/leave cancel 孙志强")  # hers: one
    sent = await d.chat.send_text(d.tg("P0001"), "/leave 孙志强 12-28 12-30 陈立新")
    [pick] = [s for s in sent if s.method == "sendMessage"]
    assert pick.plain == "有同名人员，请选择您要登记的是哪一位："
    labels = [b["text"] for b in pick.buttons]
    assert len(labels) == 2 and all("→ 代办：陈立新（P0101" in label for label in labels)
    assert labels[1].startswith("孙志强（P0201，河西街道")
    pressed = await d.chat.press(d.tg("P0001"), pick.message_id or 0, labels[0])
    assert _to(pressed, d.tg("P0001")).startswith("✅ 已登记：孙志强（P0104）12月28日–12月30日")
    listed = await d.say("P0001", "/leave cancel 孙志强")
    assert "有 2 位“孙志强”，请用人员编码取消" in listed and "/leave cancel P0201" in listed
    assert (await _leaves(d))[-1].cancelled_at is None


async def test_the_acting_persons_note_waits_for_the_sending_window(district: District) -> None:
    """A /leave typed at 22:30 tells the 联络员 at once; the acting person hears next morning."""
    d = district
    d.clock.set(NOW.replace(hour=22, minute=30))
    sent = await d.chat.send_text(d.tg("P0105"), "/leave P0104 12-05 12-08 P0101")
    assert _to(sent, d.tg("P0105")).startswith("✅ 已登记")
    assert await _delivered(d, "P0101") == ""  # quiet hours: it waits
    d.clock.set(NOW.replace(day=24, hour=8, minute=30))
    assert "代孙志强接收履责提醒" in await _delivered(d, "P0101")
