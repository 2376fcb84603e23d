"""履责记实 beyond the first sentence: two in one, unsure picks, corrections, 逾期说明, groups."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot import texts
from bot.localchat.driver import Sent
from bot.services.directory.identity import viewer_for
from bot.services.errors import RecordProblem, RecordRefused
from bot.services.ledger.status import Status, my_list
from bot.services.records.writing import correct
from bot.texts import records as record_texts
from storage.models import AuditEntry, Person, Record, Unit
from tests.handlers.conftest import ZONE, District

GROUP = -100123


def _with_buttons(sent: list[Sent]) -> Sent:
    return [s for s in sent if s.method == "sendMessage" and s.buttons][-1]


async def _records(district: District) -> list[Record]:
    async with district.app.sessions() as session:
        return list((await session.exec(select(Record).order_by(col(Record.id)))).all())


async def test_two_completed_things_in_one_message_become_two_records(district: District) -> None:
    tg = district.tg("P0101")
    text = "召开党委会专题研究党风廉政建设，还组织干部观看了警示教育片"
    proposal = _with_buttons(await district.chat.send_text(tg, text))
    assert (
        "2 件事" in proposal.plain and "【C01】" in proposal.plain and "【C07】" in proposal.plain
    )
    await district.chat.press(tg, proposal.message_id or 0, "确认全部")
    records = await _records(district)
    assert len(records) == 2
    assert {r.text for r in records} == {
        "召开党委会专题研究党风廉政建设",
        "还组织干部观看了警示教育片",
    }


async def test_an_unsure_sentence_offers_candidates_then_other(district: District) -> None:
    tg = district.tg("P0101")
    ask = _with_buttons(await district.chat.send_text(tg, "开了个会研究廉政工作"))
    labels = [b["text"] for b in ask.buttons]
    assert labels[-2:] == ["其他", "取消"]
    listed = [line for line in ask.plain.splitlines() if line[:2] in {"1.", "2.", "3."}]
    assert [line[3:8] for line in listed] == [label[2:7] for label in labels[:-2]]
    assert "【C01】" in listed[0]  # best first, the text in the buttons' order
    everything = await district.chat.press(tg, ask.message_id or 0, "其他")
    edited = [s for s in everything if s.method == "editMessageText"][-1]
    assert len(edited.buttons) > 3
    picked = await district.chat.press(tg, ask.message_id or 0, 1)
    proposal = [s for s in picked if s.method == "editMessageText"][-1]
    assert proposal.plain.startswith("拟记入：【")
    await district.chat.press(tg, ask.message_id or 0, "确认")
    assert len(await _records(district)) == 1
    assert "【" not in (await district.say("P0101", "学习了廉政方面的内容")).split("：")[0]


async def test_a_correction_is_a_new_row_and_the_old_one_shows_as_corrected(
    district: District,
) -> None:
    tg = district.tg("P0101")
    proposal = _with_buttons(
        await district.chat.send_text(tg, "今天上午召开党委会专题研究了党风廉政建设")
    )
    await district.chat.press(tg, proposal.message_id or 0, "确认")
    listing = _with_buttons(await district.chat.send_text(tg, "/records"))
    card = _with_buttons(await district.chat.press(tg, listing.message_id or 0, 1))
    prompt = [
        s
        for s in await district.chat.press(tg, card.message_id or 0, "更正文字")
        if s.method == "sendMessage"
    ][-1]
    done = await district.chat.send_text(
        tg, "11月23日上午召开党委会专题研究党风廉政建设", reply_to=prompt.message_id
    )
    assert any("已更正" in s.plain for s in done)
    first, second = await _records(district)
    assert second.corrects_id == first.id and first.text != second.text
    shown = await district.say("P0101", "/records")
    assert f"已更正 → #{second.id}" in shown
    # the item is still done: the correction counts, the corrected row does not count twice
    async with district.app.sessions() as session:
        viewer = await viewer_for(session, telegram_id=tg)
        assert viewer is not None
        with pytest.raises(RecordRefused) as refused:  # the old row is corrected once
            await correct(
                session,
                record_id=first.id or 0,
                viewer=viewer,
                now=district.clock.now(),
                text="再改",
            )
        assert refused.value.problem is RecordProblem.ALREADY_CORRECTED


async def test_a_late_record_asks_for_a_reason_kept_in_a_correcting_row(district: District) -> None:
    tg = district.tg("P0101")
    my = _with_buttons(await district.chat.send_text(tg, "/my"))
    c02 = next(b for b in my.buttons if "C02" in b["text"])
    card = [
        s
        for s in await district.chat.press(tg, my.message_id or 0, c02["text"])
        if s.method == "sendMessage"
    ][-1]
    assert "已逾期" in card.plain
    done = _with_buttons(
        await district.chat.send_text(
            tg, "印发了年度党风廉政建设工作计划", reply_to=card.message_id
        )
    )
    assert "逾期说明" in done.plain
    ignored = await district.chat.send_text(tg, "撤销", reply_to=done.message_id)
    assert any("这条消息不用回复" in s.plain for s in ignored)
    [prompt] = [
        s
        for s in await district.chat.press(tg, done.message_id or 0, "补逾期说明")
        if s.method == "sendMessage"
    ]
    saved = await district.chat.send_text(
        tg, "年初班子调整，计划延至11月印发", reply_to=prompt.message_id
    )
    assert any("已补充逾期说明" in s.plain for s in saved)
    first, second = await _records(district)
    assert second.corrects_id == first.id and second.late_reason == "年初班子调整，计划延至11月印发"
    assert second.text == first.text


async def test_a_reply_to_a_nudge_naming_several_items_records_the_one_it_is_about(
    district: District,
) -> None:
    tg = district.tg("P0101")
    [offer] = [
        s for s in await district.chat.send_text(district.tg("P0105"), "/nudge") if s.buttons
    ]
    person = next(b for b in offer.buttons if b["text"].startswith("陈立新"))
    await district.chat.press(district.tg("P0105"), offer.message_id or 0, person["text"])
    mark = district.fake.mark()
    await district.app.sender.drain_once(district.clock.now())
    [letter] = [s for s in district.fake.sent_since(mark) if s.chat_id == tg]
    assert "【C07】" in letter.plain and "【C04】" in letter.plain
    sent = await district.chat.send_text(
        tg, "组织全体干部观看了警示教育片", reply_to=letter.message_id
    )
    assert "已记入履责记实：【C07】" in _with_buttons(sent).plain


async def test_in_a_group_a_secretary_binds_it_and_lists_go_private(district: District) -> None:
    secretary, official = district.tg("P0105"), district.tg("P0101")
    bound = await district.chat.send_text(secretary, "/bindgroup", group=GROUP)
    assert any("城关镇" in s.plain for s in bound)
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        assert unit.group_chat_id == GROUP
        assert (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "group.bind"))
        ).first()
    my = await district.chat.send_text(official, "/my", group=GROUP)
    assert {s.chat_id for s in my if s.method == "sendMessage"} == {official, GROUP}
    assert all("【C01】" not in s.plain for s in my if s.chat_id == GROUP)
    [private] = [s for s in my if s.chat_id == official]  # /my's first page, with its buttons
    assert "第 1/2 页" in private.plain and len(private.plain.splitlines()) < 30
    assert [b["text"] for b in private.buttons][-1] == "下一页 »"
    refused = await district.chat.send_text(official, "/bindgroup", group=GROUP)
    assert [s.plain for s in refused] == [texts.plain(record_texts.GROUP_BIND_REFUSED)]


async def test_a_deactivated_person_is_told_whom_to_ask(district: District) -> None:
    async with district.app.sessions() as session:
        await session.exec(update(Person).where(col(Person.code) == "P0102").values(active=False))
        await session.commit()
    reply = await district.say("P0102", "今天召开了党委会")
    assert "已在最近一次名单导入中停用" in reply and "刘佳" in reply
    assert await _records(district) == []
    stranger = await district.chat.send_text(999_999, "你好")
    assert "尚未绑定" in stranger[0].plain


async def test_two_workers_confirming_at_once_record_once(district: District) -> None:
    """Two Dispatchers on one database (two workers), the same 确认 pressed on both."""
    from bot.app import build_app

    tg = district.tg("P0101")
    proposal = _with_buttons(
        await district.chat.send_text(tg, "今天上午召开党委会专题研究了党风廉政建设")
    )
    second = build_app(district.app.settings, clock=district.clock, chat_limits=False)
    try:
        from aiogram.types import Update

        def update(n: int) -> Update:
            district.fake.register_callback(f"q{n}", tg)
            raw = {
                "update_id": 10_000 + n,
                "callback_query": {
                    "id": f"q{n}",
                    "from": {"id": tg, "is_bot": False, "first_name": "陈"},
                    "message": district.fake.message(tg, proposal.message_id or 0),
                    "chat_instance": str(tg),
                    "data": proposal.buttons[0]["callback_data"],
                },
            }
            return Update.model_validate(raw, context={"bot": district.app.bot})

        await asyncio.gather(
            district.app.dispatcher.feed_update(district.app.bot, update(1)),
            second.dispatcher.feed_update(second.bot, update(2)),
        )
    finally:
        await second.bot.session.close()
        await second.engine.dispose()
    assert len(await _records(district)) == 1


async def test_undo_after_a_correction_ends_the_chain_and_says_so_and_my_agrees(
    district: District,
) -> None:
    tg = district.tg("P0101")
    proposal = _with_buttons(
        await district.chat.send_text(tg, "今天上午召开党委会专题研究了党风廉政建设")
    )
    confirmed = await district.chat.press(tg, proposal.message_id or 0, "确认")
    [confirmation] = [s for s in confirmed if s.method == "editMessageText"]  # the proposal, edited
    listing = _with_buttons(await district.chat.send_text(tg, "/records"))
    card = _with_buttons(await district.chat.press(tg, listing.message_id or 0, 1))
    prompt = [
        s
        for s in await district.chat.press(tg, card.message_id or 0, "更正文字")
        if s.method == "sendMessage"
    ][-1]
    await district.chat.send_text(tg, "召开党委会专题研究党风廉政建设", reply_to=prompt.message_id)
    first, second = await _records(district)
    # 撤销 on the first confirmation: the whole chain stops counting, and the reply says so
    undone = await district.chat.press(tg, confirmation.message_id or 0, "撤销")
    said = "\n".join(s.plain for s in undone)
    assert f"已撤销记实 #{first.id}（及其更正 #{second.id}）" in said
    assert "重新计为未完成" in said
    rows = await _records(district)
    assert rows[-1].voids_id == second.id
    async with district.app.sessions() as session:
        viewer = await viewer_for(session, telegram_id=tg)
        assert viewer is not None
        mine = await my_list(session, viewer=viewer, now=district.clock.now(), zone=ZONE)
    c01 = [line for line in mine.lines if line.item_code == "C01" and line.current]
    assert c01 and all(line.status is not Status.DONE for line in c01)
    shown = await district.say("P0101", "/records")  # both rows of the chain show 已撤销
    assert f"#{first.id}" in shown and f"#{second.id}" in shown
    assert shown.count("（已撤销）") == 2, shown
