"""A self-check button names its due item: a press after the list shifted is refused, not misfiled."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.services.errors import Stale
from bot.texts import selfcheck as words
from storage.models import DueItem, Holding, Item, SelfCheckAnswer
from tests.handlers.conftest import ZONE, District
from tests.handlers.test_selfcheck_chat import P0101_Q4_ITEMS, alert, last_buttons


async def _answers(d: District) -> dict[tuple[str, str], str]:
    """(item code, period key) → the status stored for it."""
    async with d.app.sessions() as session:
        rows = await session.exec(
            select(Item.code, DueItem.period_key, SelfCheckAnswer.status)
            .join(DueItem, col(DueItem.id) == col(SelfCheckAnswer.due_item_id))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
        )
        return {(code, key): status for code, key, status in rows.all()}


async def test_a_press_after_the_daily_roll_added_an_item_is_refused_as_stale(
    district: District,
) -> None:
    """Started on 11-30 and pressed after the 00:05 roll of 12-01 added D01's December due item
    (sorted before D02): the 已完成 on D02's step used to be stored on D01 (December)."""
    d, tg = district, district.tg("P0101")
    d.clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=ZONE))
    step = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    while "【D02】" not in step.plain:
        step = last_buttons(await d.chat.press(tg, step.message_id or 0, "未开展"))
    assert f"第 11/{P0101_Q4_ITEMS} 项" in step.plain  # D01 (November) was the 10th
    before = await _answers(d)
    await d.chat.advance(datetime(2026, 12, 1, 8, 0, tzinfo=ZONE))  # the roll at 00:05
    assert ("D01", "2026-12") in {(c, k) for c, k, *_ in await _keys(d)}

    sent = await d.chat.press(tg, step.message_id or 0, "已完成")
    answer = alert(sent)
    assert answer.show_alert and answer.text == words.STALE[Stale.SHIFTED]
    assert "/selfcheck" in (answer.text or "")
    assert not [s for s in sent if s.method == "sendMessage"]
    assert await _answers(d) == before  # neither D01 (December) nor D02 changed

    resumed = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    step = last_buttons(await d.chat.press(tg, resumed.message_id or 0, "继续"))
    assert "【D01】" in step.plain and "2026年12月" in step.plain
    step = last_buttons(await d.chat.press(tg, step.message_id or 0, "推进中"))
    assert "【D02】" in step.plain
    await d.chat.press(tg, step.message_id or 0, "已完成")
    after = await _answers(d)
    assert after[("D01", "2026-12")] == "progress" and after[("D02", "2026")] == "done"


async def _keys(d: District) -> list[tuple[str, str]]:
    async with d.app.sessions() as session:
        rows = await session.exec(
            select(Item.code, DueItem.period_key)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
        )
        return list(rows.all())


async def test_a_note_typed_after_the_roll_lands_on_the_step_it_was_asked_for(
    district: District,
) -> None:
    """The 写说明 prompt stores its due item: a note sent after the roll shifted the steps goes
    to D02 (the step on screen), never to the step now at its position."""
    d, tg = district, district.tg("P0101")
    d.clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=ZONE))
    step = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    while "【D02】" not in step.plain:
        step = last_buttons(await d.chat.press(tg, step.message_id or 0, "未开展"))
    [prompt] = [
        s
        for s in await d.chat.press(tg, step.message_id or 0, "写说明")
        if s.method == "sendMessage"
    ]
    await d.chat.advance(datetime(2026, 12, 1, 8, 0, tzinfo=ZONE))  # the roll at 00:05
    await d.chat.send_text(tg, "已召开领导班子专题民主生活会", reply_to=prompt.message_id)
    async with d.app.sessions() as session:
        rows = await session.exec(
            select(Item.code, DueItem.period_key, SelfCheckAnswer.note)
            .join(DueItem, col(DueItem.id) == col(SelfCheckAnswer.due_item_id))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(col(SelfCheckAnswer.note) != "")
        )
        notes = rows.all()
    assert [(code, note) for code, _, note in notes] == [("D02", "已召开领导班子专题民主生活会")]
