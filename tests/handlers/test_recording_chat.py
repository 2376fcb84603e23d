"""履责记实 in the chat: a sentence proposes, 确认 records once, a reply records at once, 撤销."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest
from aiogram.types import Update
from sqlmodel import col, select

from bot.app import App, build_app, close
from bot.localchat.driver import Sent
from bot.texts import records as record_texts
from storage.models import Proposal, ProposalState, Record
from tests.handlers.conftest import District

SENTENCE = "今天上午召开党委会专题研究了党风廉政建设"
TRIALS = 10


def _last_with_buttons(sent: list[Sent]) -> Sent:
    return [s for s in sent if s.method == "sendMessage" and s.buttons][-1]


def _confirmation(sent: list[Sent]) -> Sent:
    """The ✅ a press of 确认 made: the proposal message, edited in place."""
    return [s for s in sent if s.method == "editMessageText" and s.buttons][-1]


async def _press_stale(district: District, user: int, sent: Sent, label: str) -> list[Sent]:
    """Press a button as it was when `sent` arrived (a double press, an old message)."""
    message = district.fake.message(user, sent.message_id or 0)
    assert message is not None
    message["reply_markup"] = sent.reply_markup
    return await district.chat.press(user, sent.message_id or 0, label)


async def _records(district: District) -> list[Record]:
    async with district.app.sessions() as session:
        return list((await session.exec(select(Record).order_by(col(Record.id)))).all())


async def test_a_sentence_proposes_c01_and_confirm_records_it_once(district: District) -> None:
    tg = district.tg("P0101")
    sent = await district.chat.send_text(tg, SENTENCE)
    proposal = _last_with_buttons(sent)
    codes = re.findall(r"【(\w+)】", proposal.plain)
    assert codes[0] == "C01", proposal.plain
    assert [b["text"] for b in proposal.buttons] == ["确认", "改选", "改日期", "取消"]

    confirmed = await district.chat.press(tg, proposal.message_id or 0, "确认")
    # the proposal itself becomes the confirmation: no second message, no "see below"
    assert [s.method for s in confirmed] == ["answerCallbackQuery", "editMessageText"]
    edited = confirmed[1]
    assert edited.message_id == proposal.message_id and "见下一条" not in edited.plain
    assert edited.plain.startswith("✅ 已记入履责记实：【C01】")
    assert [b["text"] for b in edited.buttons] == ["撤销"]
    again = await _press_stale(district, tg, proposal, "确认")  # a double press
    assert any("已记录过" in (s.text or "") or "已经记过" in s.plain for s in again)
    records = await _records(district)
    assert len(records) == 1
    assert (
        records[0].text == SENTENCE
        and records[0].origin
        and records[0].origin.startswith("proposal:")
    )

    my = await district.say("P0101", "/my")
    assert re.search(r"✅.*C01|C01.*✅", my) or "✅" in my.split("C01")[0][-40:] or "已完成" in my
    listing = await district.say("P0101", "/records")
    assert "C01" in listing and SENTENCE[:10] in listing


async def test_two_presses_at_the_same_moment_record_once(district: District) -> None:
    tg = district.tg("P0101")
    proposal = _last_with_buttons(await district.chat.send_text(tg, SENTENCE))
    await asyncio.gather(
        district.chat.press(tg, proposal.message_id or 0, "确认"),
        district.chat.press(tg, proposal.message_id or 0, "确认"),
    )
    assert len(await _records(district)) == 1


def _press_on(
    district: District, app: App, user: int, sent: Sent, label: str, *, query: str, update: int
) -> Awaitable[Any]:
    """Press `label` on `sent` through `app`'s Dispatcher (another worker's, or the chat's own),
    as callback query `query` in update `update`: awaited, the press is handled."""
    district.fake.register_callback(query, user)
    raw = {
        "update_id": update,
        "callback_query": {
            "id": query,
            "from": {"id": user, "is_bot": False, "first_name": "陈"},
            "message": district.fake.message(user, sent.message_id or 0),
            "chat_instance": str(user),
            "data": next(b["callback_data"] for b in sent.buttons if b["text"] == label),
        },
    }
    return app.dispatcher.feed_update(app.bot, Update.model_validate(raw, context={"bot": app.bot}))


@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers"])
async def test_confirm_and_cancel_at_the_same_moment_one_press_wins(
    district: District, workers: int
) -> None:
    """确认 and 取消 pressed together (two devices, a fast double tap; one worker, or two
    Dispatchers on one database): the proposal ends confirmed with exactly one record, or
    cancelled with none, and what the user is told (both answers, the messages) agrees."""
    tg = district.tg("P0101")
    second = (
        build_app(district.app.settings, clock=district.clock, chat_limits=False)
        if workers == 2
        else district.app
    )
    outcomes: list[ProposalState] = []
    try:
        for trial in range(TRIALS):
            proposal = _last_with_buttons(await district.chat.send_text(tg, SENTENCE))
            mark = district.fake.mark()
            answered = len(district.fake.calls_to("answerCallbackQuery"))
            ok, no = f"ok{trial}", f"no{trial}"
            at = 100_000 + 2 * trial  # update ids the chat's own never reach
            await asyncio.gather(
                _press_on(district, district.app, tg, proposal, "确认", query=ok, update=at),
                _press_on(district, second, tg, proposal, "取消", query=no, update=at + 1),
            )
            sent = district.fake.sent_since(mark)
            answers = {
                str(call["callback_query_id"]): str(call.get("text") or "")
                for call in district.fake.calls_to("answerCallbackQuery")[answered:]
            }
            async with district.app.sessions() as session:
                row = (
                    await session.exec(select(Proposal).order_by(col(Proposal.id).desc()))
                ).first()
                assert row is not None
                made = (
                    await session.exec(select(Record).where(Record.origin == f"proposal:{row.id}"))
                ).all()
            told = "\n".join([*answers.values(), *(s.plain for s in sent)])
            shown = str((district.fake.message(tg, proposal.message_id or 0) or {}).get("text"))
            where = (trial, row.state, answers, [s.plain for s in sent])
            assert set(answers) == {ok, no}, where  # each press is answered
            if row.state is ProposalState.CONFIRMED:
                assert len(made) == 1 and row.record_id == made[0].id, where
                assert "已记入" in answers[ok] and "已记入" in answers[no], where
                assert f"#{made[0].id}" in answers[no], where
                assert any("已记入履责记实" in s.plain for s in sent), where
                assert "已取消" not in told and "已取消" not in shown, where
            else:
                assert row.state is ProposalState.CANCELLED, where
                assert made == [] and row.record_id is None, where
                assert "已取消" in answers[no] and "已取消" in answers[ok], where
                assert shown == record_texts.CANCELLED, where
                assert "已记入" not in told, where
            outcomes.append(row.state)
    finally:
        if second is not district.app:
            await close(second)
    assert len(await _records(district)) == outcomes.count(ProposalState.CONFIRMED)


async def test_a_plan_a_question_and_an_ack_record_nothing_and_name_no_code(
    district: District,
) -> None:
    for text in (
        "下周准备召开党委会研究党风廉政建设",
        "党委会开了吗？",
        "收到",
        "还没开展谈心谈话",
    ):
        reply = await district.say("P0101", text)
        assert "没有记入" in reply, (text, reply)
        assert "【" not in reply, (text, reply)
    assert await _records(district) == []


async def test_replying_to_an_item_card_records_at_once_and_undo_voids_it(
    district: District,
) -> None:
    tg = district.tg("P0101")
    my = [s for s in await district.chat.send_text(tg, "/my") if s.buttons][-1]
    c03 = next(b for b in my.buttons if "C03" in b["text"])
    card = [
        s
        for s in await district.chat.press(tg, my.message_id or 0, c03["text"])
        if s.method == "sendMessage"
    ][-1]
    assert card.plain.startswith("【C03】")
    done = await district.chat.send_text(
        tg, "与班子成员签订了党风廉政建设目标责任书", reply_to=card.message_id
    )
    confirmation = _last_with_buttons(done)
    assert "已记入履责记实" in confirmation.plain and "【C03】" in confirmation.plain
    assert len(await _records(district)) == 1
    undone = await district.chat.press(tg, confirmation.message_id or 0, "撤销")
    assert any("已撤销" in s.plain for s in undone)
    await _press_stale(district, tg, confirmation, "撤销")  # twice: one undo row
    rows = await _records(district)
    assert len(rows) == 2 and rows[1].voids_id == rows[0].id
    listing = await district.say("P0101", "/records")
    assert "已撤销" in listing


async def test_undo_after_ten_minutes_is_refused(district: District) -> None:
    tg = district.tg("P0101")
    proposal = _last_with_buttons(await district.chat.send_text(tg, SENTENCE))
    confirmation = _confirmation(await district.chat.press(tg, proposal.message_id or 0, "确认"))
    district.clock.set(district.clock.now() + timedelta(minutes=11))
    refused = await district.chat.press(tg, confirmation.message_id or 0, "撤销")
    assert any("不能撤销" in (s.text or "") for s in refused)
    assert len(await _records(district)) == 1


async def test_someone_elses_proposal_button_is_refused(district: District) -> None:
    tg = district.tg("P0101")
    proposal = _last_with_buttons(await district.chat.send_text(tg, SENTENCE))
    other = district.tg("P0102")
    # a forged press: P0102 sends P0101's callback data
    original = district.fake.message(tg, proposal.message_id or 0)
    assert original is not None
    district.fake.remember({**original, "chat": {"id": other, "type": "private"}})
    refused = await district.chat.press(other, proposal.message_id or 0, "确认")
    assert any("别人" in (s.text or "") for s in refused)
    assert await _records(district) == []
    async with district.app.sessions() as session:
        states = (await session.exec(select(Proposal.state))).all()
    assert states == [ProposalState.OPEN]


async def test_bad_input_gets_a_clear_reply_and_sql_is_stored_verbatim(district: District) -> None:
    assert "没有看到文字" in await district.say("P0101", "   ")
    assert "没有看到文字" in await district.say("P0101", "👍👍")
    assert "内容过长" in await district.say("P0101", "开" * 5000)
    html = await district.say("P0101", "<b>召开党委会</b> 专题研究党风廉政建设 & 部署")
    assert "<b>" in html  # shown as typed (escaped), not as markup
    tg = district.tg("P0101")
    sql = "召开党委会专题研究党风廉政建设'); DROP TABLE record; --"
    proposal = _last_with_buttons(await district.chat.send_text(tg, sql))
    await district.chat.press(tg, proposal.message_id or 0, "确认")
    assert [r.text for r in await _records(district)] == [sql]
    assert "没有需要记实的事项" in await district.say("P0001", SENTENCE)  # an admin holds none


async def test_a_reply_to_a_bot_message_that_invites_none_is_refused(district: District) -> None:
    tg = district.tg("P0101")
    help_message = [
        s for s in await district.chat.send_text(tg, "/help") if s.method == "sendMessage"
    ][-1]
    reply = await district.chat.send_text(tg, "已完成", reply_to=help_message.message_id)
    assert any("这条消息不用回复" in s.plain for s in reply)
    assert await _records(district) == []


async def test_a_photo_with_a_caption_keeps_its_evidence(district: District) -> None:
    tg = district.tg("P0101")
    sent = await district.chat.send_photo(tg, caption=SENTENCE)
    proposal = _last_with_buttons(sent)
    await district.chat.press(tg, proposal.message_id or 0, "确认")
    (record,) = await _records(district)
    assert record.file_id and record.file_kind == "photo"
    listing = _last_with_buttons(await district.chat.send_text(tg, "/records"))
    assert "📎" in listing.plain
    card = _last_with_buttons(await district.chat.press(tg, listing.message_id or 0, 1))
    back = await district.chat.press(tg, card.message_id or 0, "查看附件")
    assert any(s.method == "sendPhoto" for s in back)


async def test_a_photo_without_a_caption_asks_which_item(district: District) -> None:
    tg = district.tg("P0101")
    ask = _last_with_buttons(await district.chat.send_photo(tg))
    assert "属于哪一项" in ask.plain
    c04 = next(b for b in ask.buttons if "C04" in b["text"])
    edited = await district.chat.press(tg, ask.message_id or 0, c04["text"])
    assert any(s.method == "editMessageText" and "【C04】" in s.plain for s in edited)
    await district.chat.press(tg, ask.message_id or 0, "确认")
    (record,) = await _records(district)
    assert record.file_kind == "photo"


async def test_cancel_is_kept_and_a_later_confirm_is_refused(district: District) -> None:
    """取消 is a conditional UPDATE and then a message edit: the update must survive the edit."""
    tg = district.tg("P0101")
    proposal = _last_with_buttons(await district.chat.send_text(tg, SENTENCE))
    cancelled = await district.chat.press(tg, proposal.message_id or 0, "取消")
    assert any("已取消" in s.plain for s in cancelled)
    async with district.app.sessions() as session:
        assert (await session.exec(select(Proposal.state))).all() == [ProposalState.CANCELLED]
    refused = await _press_stale(district, tg, proposal, "确认")
    assert any("已失效" in (s.text or "") for s in refused)
    assert await _records(district) == []
