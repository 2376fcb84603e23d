"""In the chat: an overdue 季度自查 / 半年报告 can be handed in — offered first, and opened by the
button on every reminder that names it; a reply to a reminder never records one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.localchat.driver import Sent
from storage.models import DueItem, Holding, Item, Proposal, Record
from tests.handlers.conftest import ZONE, District
from tests.handlers.test_selfcheck_chat import forged, last_buttons

MONDAY = datetime(2027, 1, 18, 9, 30, tzinfo=ZONE)  # 2026-Q4 / 2026-H2 were due on 1月15日


async def _monday(d: District) -> dict[str, Sent]:
    """The bot back on 2027-01-18 (the roll at 00:05, the reminders at 09:00): each person's
    reminder of the day, for P0101, P0102 and P0103."""
    d.clock.set(MONDAY.replace(hour=0, minute=0))
    mark = d.fake.mark()
    await d.chat.advance(MONDAY)
    found = {}
    for code in ("P0101", "P0102", "P0103"):
        [found[code]] = [
            s
            for s in d.fake.sent_since(mark)
            if s.chat_id == d.tg(code) and s.method == "sendMessage" and "履责提醒" in s.plain
        ]
    return found


async def test_selfcheck_and_report_offer_the_overdue_period_first(district: District) -> None:
    d = district
    tg = d.tg("P0101")
    await _monday(d)
    choice = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    assert [b["text"] for b in choice.buttons] == ["2026年第四季度", "2027年第一季度"]
    old = last_buttons(await forged(d, "P0101", "flow:selfcheck"))  # an older reminder's button
    assert [b["text"] for b in old.buttons] == ["2026年第四季度", "2027年第一季度"]
    choice = last_buttons(await d.chat.send_text(tg, "/report"))
    assert [b["text"] for b in choice.buttons] == ["2026年下半年", "2027年上半年"]
    assert choice.message_id is not None
    draft = last_buttons(await d.chat.press(tg, choice.message_id, "2026年下半年"))
    assert draft.plain.startswith("📄 半年报告草稿 · 2026年下半年履行全面从严治党责任情况报告")


async def test_every_reminder_naming_zc_or_bg_opens_exactly_its_period(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    reminders = await _monday(d)
    reminder = reminders["P0101"]
    assert "【ZC】" in reminder.plain and "【BG】" in reminder.plain
    assert sorted(b["text"] for b in reminder.buttons) == [
        "开始写半年报告（2026年下半年）",
        "开始季度自查（2026年第四季度）",
    ]
    assert "季度自查、半年报告请点下方按钮" in reminder.plain
    for code in ("P0102", "P0103"):
        assert "【ZC】" in reminders[code].plain
        assert "开始季度自查（2026年第四季度）" in [b["text"] for b in reminders[code].buttons]
    assert reminder.message_id is not None
    step = last_buttons(
        await d.chat.press(tg, reminder.message_id, "开始季度自查（2026年第四季度）")
    )
    assert "📝 季度自查 · 2026年第四季度（第 1/13 项）" in step.plain  # D01: 11月 and 12月
    draft = last_buttons(
        await d.chat.press(tg, reminder.message_id, "开始写半年报告（2026年下半年）")
    )
    assert draft.plain.startswith("📄 半年报告草稿 · 2026年下半年履行全面从严治党责任情况报告")
    again = last_buttons(
        await d.chat.press(tg, reminder.message_id, "开始季度自查（2026年第四季度）")
    )
    assert again.plain == step.plain  # the same draft, not a second one


async def test_a_reply_to_a_reminder_never_records_zc_or_bg(district: District) -> None:
    d = district
    tg = d.tg("P0101")
    reminder = (await _monday(d))["P0101"]
    assert reminder.message_id is not None
    said = await d.chat.send_text(
        tg, "对照责任清单逐项开展了季度自查", reply_to=reminder.message_id
    )
    assert [s.buttons for s in said if s.method == "sendMessage"] == [[]]  # no proposal
    assert "【ZC】" not in said[-1].plain and "没有记入" in said[-1].plain
    assert "按钮" in said[-1].plain and "/selfcheck" in said[-1].plain
    plain = await d.chat.send_text(tg, "完成本季度履责情况自查")  # not a reply: the same
    assert [s.buttons for s in plain if s.method == "sendMessage"] == [[]]
    assert plain[-1].plain == said[-1].plain
    async with d.app.sessions() as session:
        assert not (await session.exec(select(Proposal))).all()
        system = (
            await session.exec(
                select(Record)
                .join(DueItem, col(DueItem.id) == col(Record.due_item_id))
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(col(Item.system).is_not(None))
            )
        ).all()
        assert not system
