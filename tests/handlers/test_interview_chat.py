"""In the chat: /interview lists who is past the +10 escalation; a formal reminder once a day each."""

from __future__ import annotations

import json

from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.notices.stats import Ack
from bot.services.oversight.interviews import cases
from bot.texts import interviews as words
from bot.texts import notices as notice_words
from handlers.interviews import Yt
from storage.models import AuditEntry, Notice, Outbox, Person
from tests.handlers.conftest import NOW, ZONE, District
from tests.handlers.test_broadcast_chat import ADMIN, forged, press

LATE = 18  # people in the sample district past A10 on 2026-11-23 (C02–C04, S01 of 2026)


def _message(sent: list[Sent]) -> Sent:
    [found] = [s for s in sent if s.method == "sendMessage"]
    return found


async def _audits(d: District) -> list[dict[str, object]]:
    async with d.app.sessions() as session:
        rows = await session.exec(
            select(AuditEntry.detail).where(col(AuditEntry.action) == "interview.remind")
        )
        return [json.loads(detail) for detail in rows.all()]


async def _confirmed(d: District, message_id: int, button: str) -> Sent:
    """Press a 约谈提醒 button, then 确认 on the question it asks: what the bot answered."""
    question = _message(await press(d, ADMIN, message_id, button))
    go = next(b["text"] for b in question.buttons if b["text"].startswith("确认发送"))
    return _message(await press(d, ADMIN, question.message_id or 0, go))


async def test_one_person_then_everyone_reminded_formally_and_once_a_day(
    district: District,
) -> None:
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    assert listing.plain.startswith(f"约谈提醒：逾期超过 10 个工作日仍未完成的人员（{LATE} 人）")
    labels = [b["text"] for b in listing.buttons]
    assert len(labels) == words.PAGE + 2 and labels[-1] == f"全部发送（{LATE} 人）"
    assert listing.message_id is not None
    listing = _message(await press(d, ADMIN, listing.message_id, "下一页 ▶"))
    assert "陈立新（城关镇）3 项，最长逾期 237 天" in listing.plain
    assert listing.message_id is not None

    one = await _confirmed(d, listing.message_id, "发送约谈提醒 · 陈立新")
    assert one.plain == "已向 1 人发送约谈提醒：陈立新。已记入审计日志。"
    await d.app.sender.drain_once(d.clock.now())
    [formal] = [s for s in d.fake.sent if s.chat_id == d.tg("P0101") and "约谈提醒" in s.plain]
    assert (
        "陈立新同志：" in formal.plain
        and "请于三个工作日内向区纪委监委书面说明情况" in formal.plain
    )
    assert (
        "【C02】" in formal.plain and "（2026年度），截止 2026-03-31，已逾期 237 天" in formal.plain
    )
    assert [b["text"] for b in formal.buttons] == ["已阅"]
    assert formal.message_id is not None
    acked = await press(d, "P0101", formal.message_id, "已阅")
    assert acked[0].text == notice_words.ACK[Ack.DONE]
    [audit] = await _audits(d)
    assert audit["items"] == ["C02", "C03", "C04"] and audit["days_overdue"] == 237

    twice = _message(await press(d, ADMIN, listing.message_id, "发送约谈提醒 · 陈立新"))
    assert twice.plain == "陈立新今天已发送过约谈提醒，不再重复。" and not twice.buttons
    everyone = await _confirmed(d, listing.message_id, f"全部发送（{LATE} 人）")
    assert everyone.plain.startswith(f"已向 {LATE - 1} 人发送约谈提醒：")
    assert "陈立新" not in everyone.plain
    assert len(await _audits(d)) == LATE
    async with d.app.sessions() as session:
        formal_notices = (
            await session.exec(select(Notice).where(col(Notice.kind) == "formal"))
        ).all()
        rows = (
            await session.exec(select(Outbox).where(col(Outbox.dedupe_key).like("interview:%")))
        ).all()
    assert len(formal_notices) == LATE and len(rows) == LATE and all(r.text for r in rows)
    notices = await d.say(ADMIN, "/notices")
    assert notices.count("约谈提醒：") == 10 and "同志：" in notices and "<b>" not in notices


async def test_refusals_and_who_may_use_it(district: District) -> None:
    d = district
    async with d.app.sessions() as session:
        admin = (await session.exec(select(Person).where(col(Person.code) == ADMIN))).one()
    admin_id = admin.id or 0
    not_late = await forged(d, ADMIN, Yt(person=admin_id).pack())
    assert not_late.text == texts.alert(words.NOT_LISTED)
    for code in ("P0101", "P0105"):
        assert await d.say(code, "/interview") == texts.plain(texts.UNKNOWN_COMMAND)
        answer = await forged(d, code, Yt(person=0).pack())
        assert answer.text == texts.STALE_BUTTON
    assert await _audits(d) == []
    assert "/interview — 约谈提醒" in await d.say(ADMIN, "/help")


async def test_nobody_listed_before_the_escalation_day(district: District) -> None:
    async with district.app.sessions() as session:
        found = await cases(session, now=NOW, zone=ZONE, escalate_admin=400)
    assert found == []
    assert words.listing(found, 10) == "目前没有逾期超过 10 个工作日的事项，无需约谈提醒。"


async def test_every_listed_person_is_reachable_through_pages(district: District) -> None:
    """Buttons stopped at 20 (29 listed: nine only through 全部发送), all on one long keyboard."""
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    seen: list[str] = []
    page = listing
    for number in range(1, 3):
        assert f"第 {number}/2 页" in page.plain.splitlines()[0]
        people = [b["text"] for b in page.buttons if b["text"].startswith("发送约谈提醒")]
        assert 0 < len(people) <= words.PAGE
        assert page.plain.count("最长逾期") == len(people)
        seen += people
        assert [b["text"] for b in page.buttons][-1] == f"全部发送（{LATE} 人）"
        if number == 1:
            page = _message(await press(d, ADMIN, page.message_id or 0, "下一页 ▶"))
    assert len(seen) == len(set(seen)) == LATE


async def test_nothing_formal_goes_out_before_it_is_confirmed(district: District) -> None:
    """One tap, 全部发送 included, sent formal 约谈提醒 at once."""
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    question = _message(await press(d, ADMIN, listing.message_id or 0, f"全部发送（{LATE} 人）"))
    assert question.plain.startswith(f"确认向以下 {LATE} 人发送正式约谈提醒？")
    assert "陈立新（城关镇）" in question.plain
    assert [b["text"] for b in question.buttons] == [f"确认发送（{LATE} 人）", "取消"]
    one = _message(await press(d, ADMIN, listing.message_id or 0, "发送约谈提醒 · 何文斌"))
    assert one.plain.startswith("确认向以下 1 人发送正式约谈提醒？\n何文斌（北园街道）")
    [cancel] = await press(d, ADMIN, one.message_id or 0, "取消")
    assert cancel.text == words.CANCELLED
    assert await _audits(d) == []
    async with d.app.sessions() as session:
        assert (await session.exec(select(Notice))).all() == []
    done = _message(await press(d, ADMIN, question.message_id or 0, f"确认发送（{LATE} 人）"))
    assert done.plain.startswith(f"已向 {LATE} 人发送约谈提醒")
    assert len(await _audits(d)) == LATE


async def test_a_list_changed_before_confirming_is_asked_again(district: District) -> None:
    d = district
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    question = _message(await press(d, ADMIN, listing.message_id or 0, f"全部发送（{LATE} 人）"))
    async with d.app.sessions() as session:  # one of them leaves the directory meanwhile
        gone = (await session.exec(select(Person).where(col(Person.code) == "P0101"))).one()
        gone.active = False
        session.add(gone)
        await session.commit()
    again = _message(await press(d, ADMIN, question.message_id or 0, f"确认发送（{LATE} 人）"))
    assert again.plain.startswith(f"名单已有变化，请重新确认。\n确认向以下 {LATE - 1} 人")
    assert await _audits(d) == []
    done = _message(await press(d, ADMIN, again.message_id or 0, f"确认发送（{LATE - 1} 人）"))
    assert done.plain.startswith(f"已向 {LATE - 1} 人发送约谈提醒")
