"""In the chat: /nudge reminds people through the outbox, once per person per day, in scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.texts import pending as words
from bot.texts.reminders import REPLY_HINT
from storage.models import AuditEntry, Outbox, OutboxState, Person, Unit
from tests.handlers.conftest import ZONE, District

ADMIN, SECRETARY, FIRST, MEMBER, OTHER_SECRETARY = "P0001", "P0105", "P0101", "P0102", "P0204"


async def send(d: District, who: str, text: str) -> list[Sent]:
    return await d.chat.send_text(d.tg(who), text)


async def press(d: District, who: str, message: Sent, label: str) -> Sent:
    assert message.message_id is not None
    *_, last = await d.chat.press(d.tg(who), message.message_id, label)
    return last


async def forged(d: District, who: str, data: str) -> Sent:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="旧按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(who), "旧消息", reply_markup=keyboard)
    [answer, *_] = await d.chat.press(d.tg(who), message.message_id, 1)
    return answer


async def person(d: District, code: str) -> Person:
    async with d.app.sessions() as session:
        return (await session.exec(select(Person).where(col(Person.code) == code))).one()


async def nudge_rows(d: District) -> list[tuple[OutboxState, int, datetime]]:
    async with d.app.sessions() as session:
        rows = (await session.exec(select(Outbox).where(col(Outbox.kind) == "nudge"))).all()
    return [(r.state, r.attempts, r.not_before) for r in rows]


async def deliver(d: District) -> list[Sent]:
    mark = d.fake.mark()
    await d.app.sender.drain_once(d.clock.now())
    return d.fake.sent_since(mark)


async def test_a_secretary_reminds_everyone_once_a_day(district: District) -> None:
    [offer] = await send(district, SECRETARY, "/nudge")
    assert offer.plain.startswith("城关镇有未完成事项的人员如下")
    labels = [b["text"] for b in offer.buttons]
    assert labels[0] == words.ALL_BUTTON
    assert "陈立新（14 项）" in labels  # his 12 and the 单位班子's 2
    report = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    assert report.plain.startswith("📨 城关镇催办结果")
    assert "陈立新（14 项）：✅ 已提醒" in report.plain
    assert "刘佳" not in report.plain  # a 联络员 holds nothing of their own here
    arrived = [s for s in await deliver(district) if s.chat_id == district.tg(FIRST)]
    [letter] = arrived
    assert letter.plain.startswith("🔔 催办提醒（11月23日）")
    assert "陈立新同志：受城关镇委托，履责助手提醒您，以下事项尚未完成：" in letter.plain
    assert "联络员刘佳提醒" not in letter.plain  # the system reminds, not a subordinate
    assert letter.plain.endswith("如有疑问，请联系本单位联络员刘佳。")
    assert "🔴【C02】" in letter.plain and "【D01】" in letter.plain
    assert texts.plain(REPLY_HINT) in letter.plain
    if "【ZC】" in letter.plain:  # no reply records a 季度自查: its command is named
        assert texts.plain(words.SYSTEM_HINTS["ZC"]) in letter.plain
    again = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    assert "陈立新（14 项）：⏸ 今天已提醒过" in again.plain
    assert "✅ 已提醒" not in again.plain
    async with district.app.sessions() as session:
        rows = (await session.exec(select(Outbox).where(col(Outbox.kind) == "nudge"))).all()
        audits = (
            await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "nudge"))
        ).all()
    assert len(rows) == len(audits) == 4  # 陈立新, 李红霞, 赵德明, 孙志强
    first = await person(district, FIRST)
    assert {json.loads(a.detail)["person_id"] for a in audits} >= {first.id}
    district.clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # the next day: once more
    next_day = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    assert next_day.plain.count("✅ 已提醒") == 4


async def test_one_person_by_button_and_who_cannot_be_reached(district: District) -> None:
    member, deputy = await person(district, MEMBER), await person(district, "P0104")
    async with district.app.sessions() as session:
        for code, field in ((MEMBER, "telegram_id"), ("P0104", "unreachable_at")):
            row = (await session.exec(select(Person).where(col(Person.code) == code))).one()
            setattr(row, field, None if field == "telegram_id" else datetime.now(UTC))
        await session.commit()
    [offer] = await send(district, SECRETARY, "/nudge")
    one = await press(district, SECRETARY, offer, "李红霞")
    assert one.plain.splitlines()[1].startswith("李红霞（")
    assert "未绑定账号" in one.plain and len(one.plain.splitlines()) == 2
    everyone = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    assert "孙志强" in everyone.plain and "无法送达（已屏蔽机器人）" in everyone.plain
    assert member.id and deputy.id


async def test_people_on_leave_are_reminded_through_their_acting_person(
    district: District,
) -> None:
    await send(district, SECRETARY, "/leave P0103 2026-11-20 2026-11-30 P0104")
    await send(district, SECRETARY, "/leave P0102 2026-11-20 2026-11-30")
    [offer] = await send(district, SECRETARY, "/nudge")
    report = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    # 9 outstanding, less his 季度自查 and 半年报告: personal, they wait for his return
    assert "赵德明（7 项）：✅ 已提醒（休假中，由代办人孙志强接收）" in report.plain
    assert "李红霞" in report.plain and "休假中且无代办人" in report.plain
    arrived = [s for s in await deliver(district) if s.chat_id == district.tg("P0104")]
    acting = [s.plain for s in arrived if "赵德明同志休假中，由您代为办理" in s.plain]
    assert acting and not any("【ZC】" in text or "【BG】" in text for text in acting)


async def test_scope_roles_and_forged_buttons(district: District) -> None:
    async with district.app.sessions() as session:
        u01 = (await session.exec(select(Unit).where(col(Unit.code) == "U01"))).one()
    first = await person(district, FIRST)
    refused = await forged(district, OTHER_SECRETARY, f"ng:{u01.id}:0")
    assert refused.show_alert and refused.text == words.NOT_YOURS
    refused = await forged(district, OTHER_SECRETARY, f"ng:{u01.id}:{first.id}")
    assert refused.text == words.NOT_YOURS
    async with district.app.sessions() as session:
        assert not (await session.exec(select(Outbox).where(col(Outbox.kind) == "nudge"))).all()
    [official] = await send(district, MEMBER, "/nudge")
    assert official.plain == texts.plain(texts.UNKNOWN_COMMAND)
    other = await person(district, OTHER_SECRETARY)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="旧按钮", callback_data=f"ng:{other.unit_id}:{first.id}")]
        ]
    )
    [old] = await district.app.notifier.send(
        district.tg(OTHER_SECRETARY), "旧", reply_markup=keyboard
    )
    *_, gone = await district.chat.press(district.tg(OTHER_SECRETARY), old.message_id, 1)
    assert gone.plain == words.NUDGE_GONE
    [picker] = await send(district, ADMIN, "/nudge")
    units = await press(district, ADMIN, picker, "镇街类")
    offer = await press(district, ADMIN, units, "城关镇")
    assert offer.plain.startswith("城关镇有未完成事项的人员如下")
    [named] = await send(district, ADMIN, "/nudge U01")
    assert named.plain == offer.plain
    report = await press(district, ADMIN, named, "陈立新")
    assert "陈立新（14 项）：✅ 已提醒" in report.plain
    [unknown] = await send(district, ADMIN, "/nudge U99")
    assert unknown.plain == texts.plain(words.unknown_unit("U99"))


async def test_a_nudge_pressed_on_saturday_night_waits_for_the_working_morning(
    district: District,
) -> None:
    saturday_night = datetime(2026, 11, 28, 22, 30, tzinfo=ZONE)
    district.clock.set(saturday_night)
    [offer] = await send(district, SECRETARY, "/nudge")
    report = await press(district, SECRETARY, offer, words.ALL_BUTTON)
    assert report.plain.count("✅ 已提醒") == 4  # the reply to the one chatting goes at once
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=ZONE)
    queued = [(OutboxState.PENDING, 0, monday)] * 4
    assert await nudge_rows(district) == queued  # queued for the working morning
    district.clock.set(saturday_night + timedelta(minutes=5))
    assert await deliver(district) == []  # was: four officials woken at 22:35
    assert await nudge_rows(district) == queued
    district.clock.set(monday - timedelta(minutes=1))
    assert await deliver(district) == []
    district.clock.set(monday)
    letters = await deliver(district)
    assert len(letters) == 4
    assert all(s.plain.startswith("🔔 催办提醒（11月28日）") for s in letters)


async def test_a_nudge_about_the_self_check_and_report_names_their_commands(
    district: District,
) -> None:
    """A 催办 listing 【ZC】/【BG】 said 回复本消息…即记入, which refuses them: it names the
    command that opens each, and no reply hint when nothing it lists takes a reply."""
    [offer] = await send(district, SECRETARY, "/nudge")
    await press(district, SECRETARY, offer, words.ALL_BUTTON)
    letters = [s for s in await deliver(district) if s.plain.startswith("🔔 催办提醒")]
    with_zc = [s.plain for s in letters if "【ZC】" in s.plain]
    assert with_zc
    for letter in with_zc:
        assert texts.plain(words.SYSTEM_HINTS["ZC"]) in letter
        own = [line for line in letter.splitlines() if line.startswith(("🔴", "🟡", "⚪"))]
        if all("【ZC】" in line or "【BG】" in line for line in own):
            assert texts.plain(REPLY_HINT) not in letter
