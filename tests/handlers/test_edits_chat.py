"""An edited message: its open proposal follows the edit; a recorded one keeps its words and says so."""

from __future__ import annotations

from sqlmodel import col, select

from bot import texts
from bot.localchat.driver import Sent
from bot.services.errors import RecordProblem
from bot.texts import incoming as words
from bot.texts import records as record_texts
from storage.models import Proposal, ProposalState, Record
from tests.handlers.conftest import District
from tests.handlers.raw_updates import edit
from tests.handlers.test_selfcheck_chat import last_buttons

TYPED = "今天上午召开党委会专题研究了党风廉政建设"
EDITED = "今天上午与班子成员逐一签订了党风廉政建设责任书"
GROUP = -100_555_001


async def _proposals(d: District) -> list[Proposal]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Proposal).order_by(col(Proposal.id)))).all())


async def _records(d: District) -> list[Record]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Record).order_by(col(Record.id)))).all())


def _messages(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.method == "sendMessage"]


async def test_editing_a_sentence_before_confirm_proposes_the_new_text_instead(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    typed = await d.chat.send_text(tg, TYPED)
    old = last_buttons(typed)
    assert old.plain.startswith("拟记入：【C01】")
    message_id = old.reply_to_message_id or 0  # the official's own message

    [answer] = _messages(await edit(d, tg, message_id, EDITED))
    assert answer.reply_to_message_id == message_id
    assert answer.plain.startswith(texts.plain(words.EDIT_REPLACED))
    assert "拟记入：【C03】" in answer.plain and EDITED in answer.plain
    first, second = await _proposals(d)
    assert first.state is ProposalState.CANCELLED and first.text == TYPED
    assert second.state is ProposalState.OPEN and second.text == EDITED
    assert second.message_id == message_id

    stale = await d.chat.press(tg, old.message_id or 0, "确认")  # the old proposal's button
    assert any(s.text == texts.alert(record_texts.REFUSED[RecordProblem.CANCELLED]) for s in stale)
    await d.chat.press(tg, answer.message_id or 0, "确认")
    [stored] = await _records(d)
    assert stored.text == EDITED and stored.source_message_id == message_id


async def test_an_edit_into_a_plan_cancels_and_records_nothing(district: District) -> None:
    d, tg = district, district.tg("P0101")
    old = last_buttons(await d.chat.send_text(tg, TYPED))
    message_id = old.reply_to_message_id or 0
    [answer] = _messages(await edit(d, tg, message_id, "下周准备召开党委会研究党风廉政建设"))
    assert answer.plain.startswith(texts.plain(words.EDIT_REPLACED))
    assert "没有记入" in answer.plain and not answer.buttons
    assert [p.state for p in await _proposals(d)] == [ProposalState.CANCELLED]
    await d.chat.press(tg, old.message_id or 0, "确认")
    assert await _records(d) == []


async def test_an_edit_after_confirm_keeps_the_record_and_says_how_to_correct_it(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    old = last_buttons(await d.chat.send_text(tg, TYPED))
    await d.chat.press(tg, old.message_id or 0, "确认")
    message_id = old.reply_to_message_id or 0
    [stored] = await _records(d)
    [answer] = _messages(await edit(d, tg, message_id, EDITED))
    assert answer.plain == texts.plain(words.edit_kept((stored.id or 0,)))
    assert "/records" in answer.plain and "更正文字" in answer.plain
    assert answer.reply_to_message_id == message_id
    assert [r.text for r in await _records(d)] == [TYPED]
    assert len(await _proposals(d)) == 1


async def test_an_edit_of_anything_else_is_ignored(district: District) -> None:
    d, tg = district, district.tg("P0101")
    [ack] = await d.chat.send_text(tg, "收到")  # not a completion: nothing proposed
    assert await edit(d, tg, ack.reply_to_message_id or 0, "收到，谢谢") == []
    cancelled = last_buttons(await d.chat.send_text(tg, TYPED))
    await d.chat.press(tg, cancelled.message_id or 0, "取消")
    assert await edit(d, tg, cancelled.reply_to_message_id or 0, EDITED) == []
    assert [p.state for p in await _proposals(d)] == [ProposalState.CANCELLED]


async def test_in_a_group_a_reply_to_a_post_and_its_edit_get_silence(district: District) -> None:
    """A post in the group (the publicized list) invites no reply: the reply and its edits
    are not the bot's business there; nothing is proposed or recorded."""
    d, tg = district, district.tg("P0101")
    [post] = await d.app.notifier.send(GROUP, "📢 城关镇责任清单公示：【C04】【C07】")
    sent = await d.chat.send_text(
        tg, "组织全体干部观看了警示教育片", reply_to=post.message_id, group=GROUP
    )
    assert _messages(sent) == []
    mine = post.message_id + 1  # the group's messages share one numbering
    assert d.fake.message(GROUP, mine) is not None
    assert await edit(d, GROUP, mine, "为全体党员讲了一堂廉政党课") == []
    assert await _records(d) == [] and await _proposals(d) == []


async def test_a_plan_edited_into_a_completion_is_proposed(district: District) -> None:
    d, tg = district, district.tg("P0101")
    [plan] = [
        s
        for s in await d.chat.send_text(tg, "下周组织开展警示教育活动")
        if s.method == "sendMessage"
    ]
    assert "没有记入" in plan.plain
    [answer] = _messages(await edit(d, tg, plan.reply_to_message_id or 0, "组织开展了警示教育活动"))
    assert answer.plain.startswith("拟记入：【C07】") and "作废" not in answer.plain
    assert await _records(d) == []
