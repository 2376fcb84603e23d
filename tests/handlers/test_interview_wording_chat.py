"""In the chat: a formal 约谈提醒 names each item's period and its due date as /my does."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from storage.models import DueItem, Holding, Item, Person
from tests.handlers.conftest import District
from tests.handlers.test_broadcast_chat import ADMIN
from tests.handlers.test_interview_chat import _confirmed, _message


async def test_formal_lines_name_the_period_year_and_shifted_due(district: District) -> None:
    """Two 【S03】 lines read "应于2月2日完成" and "应于9月30日完成": which quarter, which year,
    and that 2月2日 was a 顺延 were not said."""
    d = district
    async with d.app.sessions() as session:  # C02 of 陈立新 falls due on a Saturday
        due = (
            await session.exec(
                select(DueItem)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Person, col(Person.id) == col(Holding.person_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(col(Person.code) == "P0101", col(Item.code) == "C02")
            )
        ).one()
        due.due_date = date(2026, 3, 28)
        session.add(due)
        await session.commit()
    listing = _message(await d.chat.send_text(d.tg(ADMIN), "/interview"))
    page = listing
    if "陈立新" not in page.plain:
        page = _message(await d.chat.press(d.tg(ADMIN), listing.message_id or 0, "下一页 ▶"))
    sent = await _confirmed(d, page.message_id or 0, "发送约谈提醒 · 陈立新")
    assert sent.plain.startswith("已向 1 人发送约谈提醒：陈立新")
    await d.app.sender.drain_once(d.clock.now())
    [formal] = [s for s in d.fake.sent if s.chat_id == d.tg("P0101") and "约谈提醒" in s.plain]
    assert "应于" not in formal.plain
    assert (
        "1. 【C02】年初制定本单位党风廉政建设工作计划并分解责任任务（2026年度），"
        "截止 2026-03-30（3月28日逢周末顺延），已逾期" in formal.plain
    )
    assert (
        "【C04】带头讲廉政党课，每年不少于1次（2026年度），截止 2026-06-30，已逾期" in formal.plain
    )
