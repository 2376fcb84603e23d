"""In the chat: /pending for every role, its page buttons (old, forged) and plain-Chinese questions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.texts import pending as words
from storage.models import Person, PersonRole, Role, Unit
from tests.handlers.conftest import District

ADMIN, SECRETARY, FIRST, MEMBER, OTHER_SECRETARY = "P0001", "P0105", "P0101", "P0102", "P0204"


async def send(d: District, who: str, text: str) -> list[Sent]:
    return await d.chat.send_text(d.tg(who), text)


async def press(d: District, who: str, message: Sent, label: str) -> list[Sent]:
    assert message.message_id is not None
    return await d.chat.press(d.tg(who), message.message_id, label)


async def forged(d: District, who: str, data: str) -> Sent:
    """Press a button whose data the client made up (or kept from long ago)."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="旧按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(who), "旧消息", reply_markup=keyboard)
    [answer, *_] = await d.chat.press(d.tg(who), message.message_id, 1)
    return answer


async def unit_id(d: District, code: str) -> int:
    async with d.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == code))).one()
    assert unit.id is not None
    return unit.id


async def test_a_secretary_sees_the_unit_by_person_overdue_first_in_pages(
    district: District,
) -> None:
    [first] = await send(district, SECRETARY, "/pending")
    text = first.plain
    assert text.startswith(
        "📋 城关镇未完成事项（截至 11月23日）共 39 项，其中逾期 4 项 · 第 1/2 页"
    )
    lines = text.splitlines()
    # the legend says what oversight.pending.light does, in the lines' words (还剩 N 天)
    assert lines[1] == "🔴 已逾期　🟡 今天到期或还剩 7 天以内　⚪ 还剩 8 天及以上"
    assert lines[2] == "赵德明（9 项，逾期 1 项）"
    assert lines[3].startswith("🔴【S01】") and lines[3].endswith("· 已逾期 237 天")
    assert "🟡【D01】" in text and "⚪【C01】" in text and "单位班子（2 项）" in text
    for line in lines[2:]:
        left = re.search(r"还剩 (\d+) 天$", line)
        if line.startswith("🟡"):
            assert line.endswith("今天到期") or (left and int(left.group(1)) <= 7), line
        if line.startswith("⚪"):
            assert left and int(left.group(1)) >= 8, line
    assert len(lines) - 2 <= words.PAGE_LINES
    assert [b["text"] for b in first.buttons] == ["下一页 »"]
    *_, second = await press(district, SECRETARY, first, "下一页")
    assert "第 2/2 页" in second.plain
    assert "（续）" in second.plain or second.plain.splitlines()[2].endswith("项）")
    assert [b["text"] for b in second.buttons] == ["« 上一页"]
    shown = "\n".join([text, second.plain])
    for name in ("陈立新", "李红霞", "赵德明", "孙志强", "单位班子"):
        assert name in shown
    assert "王海峰" not in shown  # 河西街道's


async def test_an_official_sees_only_their_own_items(district: District) -> None:
    [mine] = await send(district, MEMBER, "/pending")
    assert mine.plain.startswith("📋 您本人未完成事项")
    assert "李红霞" in mine.plain
    for other in ("陈立新", "赵德明", "孙志强", "单位班子"):
        assert other not in mine.plain
    [first] = await send(district, FIRST, "/pending")
    assert "单位班子（2 项）" in first.plain  # the 第一责任人 answers for the 单位班子 too
    assert "赵德明" not in first.plain
    for who in (ADMIN, SECRETARY, FIRST, MEMBER):
        assert "/pending" in "".join(s.plain for s in await send(district, who, "/help"))
    assert "/nudge" in (await send(district, SECRETARY, "/help"))[0].plain
    assert "/nudge" not in (await send(district, MEMBER, "/help"))[0].plain


async def test_an_admin_chooses_a_unit_or_names_it(district: District) -> None:
    [picker] = await send(district, ADMIN, "/pending")
    assert picker.plain.startswith("请选择单位类别")
    *_, units = await press(district, ADMIN, picker, "镇街类")
    assert [b["text"] for b in units.buttons] == ["城关镇", "河西街道", "北园街道"]
    *_, listed = await press(district, ADMIN, units, "城关镇")
    [named] = await send(district, ADMIN, "/pending u01")
    assert listed.plain == named.plain
    assert named.plain.startswith("📋 城关镇未完成事项")
    [unknown] = await send(district, ADMIN, "/pending U99")
    assert unknown.plain == texts.plain(words.unknown_unit("U99"))
    *_, other = await press(district, ADMIN, picker, "其他")
    assert other.plain == words.NO_UNITS  # 区纪委监委 has no category and holds nothing
    bad = await forged(district, ADMIN, "pdu:x:0:0")
    assert bad.show_alert and bad.text == texts.STALE_BUTTON
    [empty] = await send(district, ADMIN, "/pending U00")
    assert empty.plain == "区纪委监委没有责任清单事项，没有可查看或提醒的内容。"


async def test_page_buttons_check_scope_on_every_press_and_recompute(district: District) -> None:
    u01 = await unit_id(district, "U01")
    answer = await forged(district, OTHER_SECRETARY, f"pd:{u01}:0:1:39")
    assert answer.show_alert and answer.text == words.NOT_YOURS
    answer = await forged(district, MEMBER, f"pd:{u01}:0:1:39")
    assert answer.text == words.NOT_YOURS  # an official sees no unit list
    async with district.app.sessions() as session:
        holder = (await session.exec(select(Person).where(col(Person.code) == FIRST))).one()
    answer = await forged(district, MEMBER, f"pd:{u01}:{holder.id}:0:14")
    assert answer.show_alert and answer.text == words.NOT_YOUR_LIST
    picked = await forged(district, SECRETARY, f"pdu:p:-1:{u01}")
    assert picked.show_alert and picked.text == texts.STALE_BUTTON  # the picker is the admins'
    answer = await forged(district, ADMIN, f"pd:{u01}:0:1:39")  # an admin may see any unit
    assert not answer.show_alert
    [first] = await send(district, SECRETARY, "/pending")
    same = await press(district, SECRETARY, first, "下一页")
    assert same[0].method == "answerCallbackQuery" and not same[0].text
    await send(district, ADMIN, "/close P0101 C04 2026 年中调离")
    changed = await press(district, SECRETARY, first, "下一页")
    assert changed[0].text == words.LIST_CHANGED
    assert "共 38 项" in changed[-1].plain
    gone = await forged(district, SECRETARY, f"pd:{u01}:0:5:39")
    assert gone.show_alert and gone.text == words.PAGE_GONE


async def test_a_secretary_of_a_closed_unit_or_of_no_items(district: District) -> None:
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U02"))).one()
        unit.active = False
        admin_unit = (await session.exec(select(Unit).where(col(Unit.code) == "U00"))).one()
        assert admin_unit.id is not None
        clerk = Person(
            code="P0009",
            name="文员",
            unit_id=admin_unit.id,
            telegram_id=777001,
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
        session.add(clerk)
        await session.flush()
        assert clerk.id is not None
        session.add(PersonRole(person_id=clerk.id, role=Role.SECRETARY))
        await session.commit()
    for command in ("/pending", "/nudge"):
        [closed] = await send(district, OTHER_SECRETARY, command)
        assert closed.plain == words.UNIT_CLOSED
        [nothing] = await district.chat.send_text(777001, command)
        assert nothing.plain == "区纪委监委没有责任清单事项，没有可查看或提醒的内容。"


async def test_questions_in_plain_chinese_and_what_is_not_one(district: District) -> None:
    [who] = await send(district, SECRETARY, "谁还没交季度自查")
    assert who.plain.startswith("📋 城关镇尚未完成季度自查的（共 4 人）")
    assert "陈立新" in who.plain and "刘佳" not in who.plain
    [unknown] = await send(district, SECRETARY, "张三还差什么")
    assert unknown.plain == "本单位没有名为“张三”的人员。请核对姓名后重试。"
    [person] = await send(district, SECRETARY, "孙志强还差什么")
    assert person.plain.startswith("📋 孙志强未完成事项")
    assert "陈立新" not in person.plain and not person.buttons
    [progress] = await send(district, SECRETARY, "本季度完成得怎么样")
    assert progress.plain.startswith("📊 城关镇2026年第四季度到期事项")
    [unit] = await send(district, SECRETARY, "我们单位还有哪些没完成")
    assert unit.plain.startswith("📋 城关镇未完成事项") and unit.buttons
    said, own = await send(district, OTHER_SECRETARY, "城关镇还有哪些没完成")
    assert said.plain.startswith("联络员只能查看和提醒本单位：“城关镇”不是您的单位")
    assert own.plain.startswith("📋 河西街道未完成事项")  # her own; typed, not a button
    sent = await send(district, FIRST, "今天召开党委会研究了党风廉政建设")
    assert all("未完成事项" not in s.plain for s in sent)
    assert all(not s.plain.startswith("📊") for s in sent)
    [prompt] = await district.app.notifier.send(district.tg(FIRST), "请回复本消息写自查说明")
    assert prompt.message_id is not None
    replied = await district.chat.send_text(
        district.tg(FIRST), "还有哪些问题没整改到位", reply_to=prompt.message_id
    )
    assert all("未完成事项" not in s.plain for s in replied)


async def test_officials_and_admins_ask_too(district: District) -> None:
    [mine] = await send(district, MEMBER, "我还有哪些没完成")
    assert mine.plain.startswith("📋 您本人未完成事项")
    [not_mine] = await send(district, MEMBER, "孙志强还差什么")
    assert not_mine.plain.startswith("您只能查看本人的事项")
    [own_item] = await send(district, FIRST, "我的C04完成了没")
    assert "【C04】" in own_item.plain and "【C01】" not in own_item.plain
    [named] = await send(district, ADMIN, "城关镇还有哪些没完成")
    assert named.plain.startswith("📋 城关镇未完成事项")
    [by_person] = await send(district, ADMIN, "赵德明还差什么")
    assert by_person.plain.startswith("📋 赵德明未完成事项")
    [choose] = await send(district, ADMIN, "还有哪些没完成")
    assert choose.plain == texts.plain(words.ASK_ADMIN_UNIT) and choose.buttons
    [nobody] = await send(district, ADMIN, "王小明还有哪些没完成")
    assert nobody.plain == "本单位没有名为“王小明”的人员。请核对姓名后重试。"


async def test_a_secretary_naming_another_unit_is_told_the_list_is_her_own(
    district: District,
) -> None:
    """/pending U02 or /nudge U02 from 城关镇's 联络员 silently showed 城关镇."""
    for command in ("/pending", "/nudge"):
        told = await district.say(SECRETARY, f"{command} U02")
        first = told.splitlines()[0]
        assert first == "联络员只能查看和提醒本单位：“U02”不是您的单位，以下是城关镇（U01）的情况。"
        assert "城关镇" in told.split("\n", 1)[1]
        own = await district.say(SECRETARY, f"{command} U01")
        assert "不是您的单位" not in own
