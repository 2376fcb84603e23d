"""季度自查 / 半年报告 records (ZC, BG) are made by 提交 only: /records never moves nor re-texts them."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot.services.errors import RecordProblem, RecordRefused
from bot.services.replies import ReplyKind
from bot.texts import record_pages
from bot.texts import records as record_texts
from handlers.records import RecordCb
from storage.models import DueItem, Holding, Item, Record
from tests.handlers.conftest import District
from tests.handlers.test_selfcheck_chat import alert, answer_all, last_buttons

SENTENCE = "今天上午召开党委会专题研究了党风廉政建设"


async def _records(d: District) -> list[Record]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Record).order_by(col(Record.id)))).all())


async def _c01_due(d: District) -> int:
    async with d.app.sessions() as session:
        due = (
            await session.exec(
                select(DueItem.id)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(col(Item.code) == "C01")
            )
        ).first()
    assert due is not None
    return due


async def _press(d: District, data: RecordCb) -> list:  # type: ignore[type-arg]
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="按钮", callback_data=data.pack())]]
    )
    [message] = await d.app.notifier.send(d.tg("P0101"), "旧消息", reply_markup=keyboard)
    return await d.chat.press(d.tg("P0101"), message.message_id, 1)


async def test_a_self_check_record_offers_no_correction_and_refuses_one(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    review = await answer_all(d, "P0101", last_buttons(await d.chat.send_text(tg, "/selfcheck")))
    await d.chat.press(tg, review.message_id or 0, "提交")
    [zc] = await _records(d)
    assert zc.origin is not None and zc.origin.startswith("selfcheck:")
    listing = last_buttons(await d.chat.send_text(tg, "/records"))
    shown = await d.chat.press(tg, listing.message_id or 0, f"#{zc.id} 详情/更正")
    card = [s for s in shown if s.method == "sendMessage"][-1]
    assert "【ZC】" in card.plain
    labels = [b["text"] for b in card.buttons]
    assert "更正文字" not in labels and "改为其他事项" not in labels

    refusal = record_texts.refused(RecordRefused(RecordProblem.SYSTEM_RECORD, "/selfcheck"))
    assert "/selfcheck" in refusal
    c01 = await _c01_due(d)
    for act, due in (("text", 0), ("item", 0), ("pick", c01)):  # old or forged buttons
        sent = await _press(d, RecordCb(id=zc.id or 0, act=act, due=due))
        assert alert(sent).text == refusal, act
        assert not [s for s in sent if s.method == "sendMessage"], act
    prompt = await d.invite(  # a 更正文字 prompt stored before the rule
        tg,
        record_pages.fix_prompt(zc.id or 0),
        kind=ReplyKind.CORRECTION,
        person_id=zc.author_id,
        ref_id=zc.id,
    )
    told = await d.chat.send_text(tg, "改写的自查", reply_to=prompt)
    assert [s.plain for s in told] == [refusal]
    assert await _records(d) == [zc]  # nothing corrected


async def test_moving_a_record_offers_no_system_item(district: District) -> None:
    d, tg = district, district.tg("P0101")
    proposal = last_buttons(await d.chat.send_text(tg, SENTENCE))
    await d.chat.press(tg, proposal.message_id or 0, "确认")
    listing = last_buttons(await d.chat.send_text(tg, "/records"))
    card = last_buttons(await d.chat.press(tg, listing.message_id or 0, 1))
    assert "更正文字" in [b["text"] for b in card.buttons]
    items = last_buttons(await d.chat.press(tg, card.message_id or 0, "改为其他事项"))
    labels = [b["text"] for b in items.buttons]
    assert any("【C02】" in label for label in labels)
    assert not any("【ZC】" in label or "【BG】" in label for label in labels)
