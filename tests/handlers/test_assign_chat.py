"""In the chat: an admin assigns a task (unit → holder → reply), the holder is told and sees it; /assigned."""

from __future__ import annotations

import asyncio

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.oversight.assign_parse import AssignProblem
from bot.texts import assign as words
from storage.models import AuditEntry, Item, Person
from tests.handlers.conftest import District

ADMIN = "P0001"


def _to(sent: list[Sent], chat_id: int) -> str:
    return "\n".join(s.plain for s in sent if s.chat_id == chat_id and s.method == "sendMessage")


async def _prompt(d: District, unit: str, holder: str | int, admin: str = ADMIN) -> int:
    [menu] = await d.chat.send_text(d.tg(admin), "/assign")
    assert menu.plain == texts.plain(words.PICK_UNIT) and menu.message_id is not None
    sent = await d.chat.press(d.tg(admin), menu.message_id, unit)
    [pick] = [s for s in sent if s.method == "sendMessage"]
    assert pick.message_id is not None
    sent = await d.chat.press(d.tg(admin), pick.message_id, holder)
    [prompt] = [s for s in sent if s.method == "sendMessage"]
    assert prompt.plain.startswith(words.PROMPT_MARK) and prompt.message_id is not None
    return prompt.message_id


async def _reply(d: District, prompt: int, text: str) -> str:
    sent = await d.chat.send_text(d.tg(ADMIN), text, reply_to=prompt)
    return _to(sent, d.tg(ADMIN))


async def test_an_admin_assigns_a_task_and_the_holder_is_told_and_sees_it(
    district: District,
) -> None:
    d = district
    prompt = await _prompt(d, "城关镇", 1)  # the first: the 第一责任人, default
    sent = await d.chat.send_text(
        d.tg(ADMIN), "整改会议记录不全问题 / 2026-12-31 / 2026年第三季度督查", reply_to=prompt
    )
    reply = _to(sent, d.tg(ADMIN))
    assert reply.startswith("✅ 已交办【JB001】整改会议记录不全问题")
    assert (
        "承办：陈立新（P0101，城关镇），截止 2026-12-31，来源：2026年第三季度督查。已通知本人。"
        in reply
    )
    told = _to(sent, d.tg("P0101"))
    assert told.startswith("📌 周建国向您交办一项事项：\n【JB001】整改会议记录不全问题")
    assert "【JB001】" in await d.say_all_pages("P0101", "/my")
    assert "【JB001】" in await d.say_all_pages("P0105", "/unit")

    prompt = await _prompt(d, "城关镇", "赵德明")
    assert "✅ 已交办【JB002】" in await _reply(d, prompt, "督促整改 / 12-20")
    async with d.app.sessions() as session:
        items = (await session.exec(select(Item).where(col(Item.code).like("JB%")))).all()
    assert sorted(i.code for i in items) == ["JB001", "JB002"]

    listed = await d.say(ADMIN, "/assigned")
    assert "交办事项跟踪（共 2 项：逾期 0、办理中 2、已完成 0、已关闭 0）" in listed
    assert "城关镇 陈立新（P0101） · 截止 2026-12-31 · ⏳ 还有 38 天" in listed
    assert "来源：管理员交办" in listed


async def test_bad_replies_are_explained_and_assign_nothing(district: District) -> None:
    d = district
    prompt = await _prompt(d, "河西街道", 1)
    cases = {
        "只有内容没有日期": "格式不对",
        "整改 / 2026-13-01": "看不懂截止日期“2026-13-01”",
        "整改 / 2026-11-01": "截止日期“2026-11-01”已过去",
        "<b>整改</b> / 明天": "看不懂截止日期“明天”",
    }
    for text, expected in cases.items():
        reply = await _reply(d, prompt, text)
        assert expected in reply and "可再次回复上面的交办提示消息" in reply, text
    async with d.app.sessions() as session:
        assert (await session.exec(select(Item).where(col(Item.code).like("JB%")))).all() == []
    assert "✅ 已交办【JB001】" in await _reply(d, prompt, "整改 / 2026-12-01")
    # a prompt's text answered by someone who is not an admin assigns nothing
    [copy] = await d.app.notifier.send(d.tg("P0101"), "交办事项 · 城关镇（U01）· 陈立新（P0101）")
    sent = await d.chat.send_text(d.tg("P0101"), "自己 / 2026-12-01", reply_to=copy.message_id)
    assert "已交办" not in _to(sent, d.tg("P0101"))
    async with d.app.sessions() as session:
        codes = (await session.exec(select(Item.code).where(col(Item.code).like("JB%")))).all()
    assert codes == ["JB001"]


async def test_assigned_reminds_through_the_outbox_once_a_day(district: District) -> None:
    d = district
    prompt = await _prompt(d, "城关镇", 1)
    await _reply(d, prompt, "整改会议记录不全问题 / 2026-12-31")
    [listing] = await d.chat.send_text(d.tg(ADMIN), "/assigned")
    assert listing.message_id is not None
    [answer] = await d.chat.press(d.tg(ADMIN), listing.message_id, "提醒 JB001 陈立新")
    assert answer.text == "已提醒陈立新（经发件箱送达）。" and answer.show_alert
    [again] = await d.chat.press(d.tg(ADMIN), listing.message_id, "提醒 JB001 陈立新")
    assert again.text == "今天已提醒过陈立新，明天可再次提醒。"
    mark = d.fake.mark()
    await d.app.sender.drain_once(d.clock.now())
    delivered = [s for s in d.fake.sent_since(mark) if s.chat_id == d.tg("P0101")]
    assert [s.plain.splitlines()[0] for s in delivered] == ["📌 交办事项提醒（周建国）："]
    assert "【JB001】整改会议记录不全问题" in delivered[0].plain


async def _forged(d: District, code: str, data: str) -> Sent:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(code), "旧消息", reply_markup=keyboard)
    [answer] = await d.chat.press(d.tg(code), message.message_id, 1)
    return answer


async def test_other_roles_and_forged_buttons_are_refused(district: District) -> None:
    d = district
    for person in ("P0101", "P0105", "P0103"):
        for command in ("/assign", "/assigned"):
            assert await d.say(person, command) == texts.plain(texts.UNKNOWN_COMMAND)
    async with d.app.sessions() as session:
        secretary = (await session.exec(select(Person).where(Person.code == "P0105"))).one()
    for data in ("as:u:9999", "as:zz:1", f"as:p:{secretary.id}", "as:r:999999", "as:u:x"):
        answer = await _forged(d, ADMIN, data)
        assert answer.show_alert and answer.text in (words.STALE, texts.STALE_BUTTON), data
    answer = await _forged(d, "P0105", "as:u:2")  # a 联络员 pressing an admin's button
    assert answer.text == texts.STALE_BUTTON
    assert "/assign" in await d.say(ADMIN, "/help")
    assert "/assign" not in await d.say("P0105", "/help")
    assert await d.say(ADMIN, "/assigned") == texts.plain(words.NONE_YET)


async def _codes(d: District) -> list[str]:
    async with d.app.sessions() as session:
        rows = (await session.exec(select(Item.code).where(col(Item.code).like("JB%")))).all()
    return sorted(rows)


async def test_replying_twice_to_one_prompt_assigns_once(district: District) -> None:
    """A double send (or a reply from a second device) made JB001 and JB002 with the same
    content, two notices to the holder and two audit entries."""
    d = district
    prompt = await _prompt(d, "城关镇", 1)
    first = await d.chat.send_text(d.tg(ADMIN), "整改会议记录 / 2026-12-31", reply_to=prompt)
    second = await d.chat.send_text(d.tg(ADMIN), "整改会议记录 / 2026-12-31", reply_to=prompt)
    assert "✅ 已交办【JB001】" in _to(first, d.tg(ADMIN))
    assert _to(second, d.tg(ADMIN)) == texts.plain(words.refused(AssignProblem("used", "JB001")))
    assert "已经交办过（【JB001】）" in _to(second, d.tg(ADMIN))
    assert _to(second, d.tg("P0101")) == ""
    assert await _codes(d) == ["JB001"]
    async with d.app.sessions() as session:
        audits = (await session.exec(select(AuditEntry).where(AuditEntry.action == "assign"))).all()
    assert len(audits) == 1
    both = await asyncio.gather(
        *(
            d.chat.send_text(d.tg(ADMIN), "督促整改 / 12-20", reply_to=again)
            for again in [await _prompt(d, "河西街道", 1)] * 2
        )
    )
    made = {s.message_id for sent in both for s in sent if "✅ 已交办" in s.plain}
    assert len(made) == 1 and await _codes(d) == ["JB001", "JB002"]


async def test_two_admins_assigning_at_the_same_moment_both_succeed(district: District) -> None:
    """Both computed JB003 and one was told "处理时出现问题" (UNIQUE constraint on item.code)."""
    d = district
    await _reply(d, await _prompt(d, "城关镇", 1), "先交办一项 / 2026-12-31")
    mine = await _prompt(d, "城关镇", "赵德明")
    hers = await _prompt(d, "河西街道", 1, admin="P0002")
    for _ in range(3):
        sent = await asyncio.gather(
            d.chat.send_text(d.tg(ADMIN), "整改 / 2026-12-31", reply_to=mine),
            d.chat.send_text(d.tg("P0002"), "督办 / 2026-12-31", reply_to=hers),
        )
        replies = [_to(sent[0], d.tg(ADMIN)), _to(sent[1], d.tg("P0002"))]
        assert all(r.startswith("✅ 已交办【JB") for r in replies), replies
        mine = await _prompt(d, "城关镇", "赵德明")
        hers = await _prompt(d, "河西街道", 1, admin="P0002")
    codes = await _codes(d)
    assert codes == [f"JB{n:03d}" for n in range(1, 8)]


async def test_a_deadline_on_a_weekend_reads_the_same_in_the_notice_and_the_lists(
    district: District,
) -> None:
    d = district
    prompt = await _prompt(d, "城关镇", 1)
    sent = await d.chat.send_text(d.tg(ADMIN), "整改台账问题 / 2027-01-10", reply_to=prompt)
    shifted = "截止 2027-01-11（1月10日逢周末顺延）"  # 2027-01-10 is a Sunday
    assert shifted in _to(sent, d.tg(ADMIN))
    told = _to(sent, d.tg("P0101"))
    assert shifted in told and "2027-01-10" not in told
    assert shifted in await d.say(ADMIN, "/assigned")
