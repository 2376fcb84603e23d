"""A reply means what the replied-to message stored, never the 【code】s of its text; only a sure
completion of an item it named records at once; groups hear nothing but records."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import col, select

from bot import texts
from bot.localchat.driver import Sent
from bot.texts import records as words
from storage.models import NoticeReceipt, Person, Proposal, Record, ReplyMeaning
from tests.handlers.conftest import ZONE, District
from tests.handlers.test_notices_chat import _copies, _send_to_towns

GROUP = -100123
STALLS = (
    "回头再说",
    "在做了",
    "会按时完成的",
    "不是我负责的",
    "看不懂",
    "1",
    "这周内完成",
    "过两天办",
    "没问题",
    "出差了",
    "发错了吧",
    "测试",
    "作废",
)


def _messages(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.method == "sendMessage"]


async def _rows(d: District, model: type[Record] | type[Proposal]) -> list[object]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(model))).all())


async def _card(d: District, code: str, item: str) -> Sent:
    """Open `item`'s card from /my, as `code`."""
    tg = d.tg(code)
    my = [s for s in await d.chat.send_text(tg, "/my") if s.buttons][-1]
    button = next(b for b in my.buttons if f"【{item}】" in b["text"])
    opened = _messages(await d.chat.press(tg, my.message_id or 0, button["text"]))
    assert opened[-1].plain.startswith(f"【{item}】")
    return opened[-1]


@pytest.mark.parametrize("text", STALLS)
async def test_a_stall_replied_to_a_card_records_nothing_and_says_why(
    district: District, text: str
) -> None:
    d = district
    card = await _card(d, "P0101", "C01")
    said = _messages(await d.chat.send_text(d.tg("P0101"), text, reply_to=card.message_id))
    assert len(said) == 1 and "没有记入" in said[0].plain, (text, said)
    assert not said[0].buttons
    assert await _rows(d, Record) == [] and await _rows(d, Proposal) == []


async def test_a_sure_completion_replied_to_a_card_records_at_once(district: District) -> None:
    d = district
    card = await _card(d, "P0101", "C03")
    done = _messages(
        await d.chat.send_text(
            d.tg("P0101"), "与班子成员签订了党风廉政建设目标责任书", reply_to=card.message_id
        )
    )
    assert "已记入履责记实" in done[-1].plain and "【C03】" in done[-1].plain
    assert len(await _rows(d, Record)) == 1


async def test_an_unmarked_sentence_replied_to_a_card_is_proposed_not_recorded(
    district: District,
) -> None:
    d = district
    card = await _card(d, "P0101", "C01")
    said = _messages(
        await d.chat.send_text(
            d.tg("P0101"), "召开党委会专题研究党风廉政建设", reply_to=card.message_id
        )
    )
    assert "确认" in [b["text"] for b in said[-1].buttons]
    assert await _rows(d, Record) == []


@pytest.mark.parametrize(
    "text", ["撤销", "写错了，删除这条", "不对", "今天上午召开党委会专题研究了党风廉政建设"]
)
async def test_replies_to_a_confirmation_or_a_records_page_never_record(
    district: District, text: str
) -> None:
    d = district
    tg = d.tg("P0101")
    card = await _card(d, "P0101", "C03")
    confirmation = _messages(
        await d.chat.send_text(
            tg, "与班子成员签订了党风廉政建设目标责任书", reply_to=card.message_id
        )
    )[-1]
    listing = _messages(await d.chat.send_text(tg, "/records"))[-1]
    for target in (confirmation, listing):
        said = _messages(await d.chat.send_text(tg, text, reply_to=target.message_id))
        assert [s.plain for s in said] == [texts.plain(words.NOT_INVITED)]
    assert len(await _rows(d, Record)) == 1 and await _rows(d, Proposal) == []


async def test_a_bot_message_naming_codes_invites_no_reply_unless_it_stored_so(
    district: District,
) -> None:
    """/my names every 【code】; a reply to it is not read back from that text."""
    d = district
    tg = d.tg("P0101")
    my = _messages(await d.chat.send_text(tg, "/my"))[0]
    assert "【C01】" in my.plain
    said = _messages(
        await d.chat.send_text(tg, "今天召开了党委会专题研究党风廉政建设", reply_to=my.message_id)
    )
    assert [s.plain for s in said] == [texts.plain(words.NOT_INVITED)]
    assert await _rows(d, Record) == [] and await _rows(d, Proposal) == []


async def test_a_reply_to_a_nudge_about_an_item_it_did_not_name_is_not_put_on_one_it_did(
    district: District,
) -> None:
    """P0104's M02 is done, so the 催办 names M01, M03 …; his reply tells of a 廉政谈话 (M02):
    not recorded on M01 at once; proposed (with 确认) on the item it is about."""
    d = district
    tg = d.tg("P0104")
    talk = _messages(await d.chat.send_text(tg, "与分管站所负责人开展了廉政谈话"))[-1]
    assert "【M02】" in talk.plain
    await d.chat.press(tg, talk.message_id or 0, "确认")
    [secretary] = _messages(await d.chat.send_text(d.tg("P0105"), "/nudge"))
    person = next(b for b in secretary.buttons if b["text"].startswith("孙志强"))
    await d.chat.press(d.tg("P0105"), secretary.message_id or 0, person["text"])
    mark = d.fake.mark()
    await d.app.sender.drain_once(d.clock.now())
    [letter] = [s for s in d.fake.sent_since(mark) if s.chat_id == tg]
    assert "【M01】" in letter.plain and "【M02】" not in letter.plain
    said = _messages(
        await d.chat.send_text(tg, "今天和分管科室负责人开展了廉政谈话", reply_to=letter.message_id)
    )
    assert "已记入" not in said[-1].plain
    assert "【M01】" not in said[-1].plain.splitlines()[0]
    records = await _rows(d, Record)
    assert len(records) == 1  # the first M02 only


async def test_a_reply_of_received_to_a_notice_marks_it_read_and_nothing_else(
    district: District,
) -> None:
    d = district
    await _send_to_towns(d)
    await d.app.sender.drain_once(d.clock.now())
    [copy] = _copies(d, "P0101", "区纪委监委通知")
    [other] = _copies(d, "P0102", "区纪委监委通知")
    asked = _messages(
        await d.chat.send_text(d.tg("P0102"), "这个怎么报？", reply_to=other.message_id)
    )
    assert [s.plain for s in asked] == [texts.plain(words.NOTICE_REPLY)]
    read = _messages(await d.chat.send_text(d.tg("P0101"), "收到", reply_to=copy.message_id))
    assert [s.plain for s in read] == [texts.plain(words.NOTICE_READ)]
    again = _messages(await d.chat.send_text(d.tg("P0101"), "已阅", reply_to=copy.message_id))
    assert [s.plain for s in again] == [texts.plain(words.NOTICE_READ_BEFORE)]
    async with d.app.sessions() as session:
        receipts = (
            await session.exec(
                select(Person.code, NoticeReceipt.acknowledged_at).join(
                    Person, col(Person.id) == col(NoticeReceipt.person_id)
                )
            )
        ).all()
    assert {code for code, at in receipts if at is not None} == {"P0101"}
    assert await _rows(d, Record) == [] and await _rows(d, Proposal) == []


@pytest.mark.parametrize("text", ["收到", "收到，会按时完成", "我这边也开展了", "今天召开了党委会"])
async def test_in_a_group_replies_to_a_post_get_silence(district: District, text: str) -> None:
    """A reply in the unit's group to a post there (the publicized list, a digest): no lecture,
    no item list, no record; the bot says nothing at all."""
    d = district
    await d.chat.send_text(d.tg("P0105"), "/bindgroup", group=GROUP)
    [post] = await d.app.notifier.send(GROUP, "📢 城关镇责任清单公示：【C01】【M02】")
    said = await d.chat.send_text(d.tg("P0104"), text, reply_to=post.message_id, group=GROUP)
    assert _messages(said) == []
    assert await _rows(d, Record) == [] and await _rows(d, Proposal) == []


async def test_a_day_named_in_the_sentence_is_the_records_day(district: District) -> None:
    """Sent on 2027-01-04, "12月28日召开了…" is done on 2026-12-28: shown, kept, not late."""
    d = district
    d.clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=ZONE))
    tg = d.tg("P0101")
    proposal = _messages(await d.chat.send_text(tg, "12月28日召开了党委会专题研究党风廉政建设"))[-1]
    assert "日期：12月28日" in proposal.plain and "逾期" not in proposal.plain
    done = await d.chat.press(tg, proposal.message_id or 0, "确认")
    [confirmation] = [s for s in done if s.method == "editMessageText"]  # the proposal, edited
    assert "已记入履责记实" in confirmation.plain and "逾期" not in confirmation.plain
    [record] = await _rows(d, Record)
    assert isinstance(record, Record) and record.happened_on == date(2026, 12, 28)


async def test_the_day_can_be_changed_before_confirm_and_corrected_after(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    proposal = _messages(await d.chat.send_text(tg, "召开了党委会专题研究党风廉政建设"))[-1]
    assert "日期：11月23日" in proposal.plain
    [prompt] = _messages(await d.chat.press(tg, proposal.message_id or 0, "改日期"))
    future = _messages(await d.chat.send_text(tg, "2026年12月28日", reply_to=prompt.message_id))
    assert "还没到" in future[-1].plain
    garbled = _messages(await d.chat.send_text(tg, "前些时候", reply_to=prompt.message_id))
    assert "没有看懂这个日期" in garbled[-1].plain
    moved = _messages(await d.chat.send_text(tg, "上周五", reply_to=prompt.message_id))[-1]
    assert "日期：11月20日" in moved.plain
    await d.chat.press(tg, moved.message_id or 0, "确认")
    [record] = await _rows(d, Record)
    assert isinstance(record, Record) and record.happened_on == date(2026, 11, 20)

    card = [s for s in _messages(await d.chat.send_text(tg, "/records")) if s.buttons][-1]
    shown = _messages(await d.chat.press(tg, card.message_id or 0, 1))[-1]
    [ask] = _messages(await d.chat.press(tg, shown.message_id or 0, "更正日期"))
    fixed = _messages(await d.chat.send_text(tg, "11月18日", reply_to=ask.message_id))
    assert "已更正日期" in fixed[-1].plain
    rows = await _rows(d, Record)
    assert [r.happened_on for r in rows if isinstance(r, Record)] == [
        date(2026, 11, 20),
        date(2026, 11, 18),
    ]


async def test_a_day_before_the_items_period_is_refused(district: District) -> None:
    d = district
    said = _messages(
        await d.chat.send_text(d.tg("P0101"), "2025年12月28日召开了党委会专题研究党风廉政建设")
    )
    assert "早于该事项本期开始" in said[-1].plain
    assert await _rows(d, Record) == []


async def test_the_meaning_is_stored_typed_with_the_message(district: District) -> None:
    d = district
    card = await _card(d, "P0101", "C01")
    async with d.app.sessions() as session:
        [row] = (await session.exec(select(ReplyMeaning))).all()
    assert row.message_id == card.message_id and row.kind.value == "item_card"
    assert row.due_item_ids and "," not in row.due_item_ids


@pytest.mark.parametrize(
    ("code", "text", "wrong"),
    [
        ("P0104", "参加了镇党委会，专题研究党风廉政建设", "M05"),
        ("P0104", "与下属单位负责人签订了党风廉政建设目标责任书", "M02"),
        ("P0103", "与班子成员签订了党风廉政建设目标责任书", "S01"),
        ("P0102", "召开了领导班子专题民主生活会", "M04"),
    ],
)
async def test_a_near_miss_on_ones_own_list_is_never_proposed_as_sure(
    district: District, code: str, text: str, wrong: str
) -> None:
    said = _messages(await district.chat.send_text(district.tg(code), text))
    assert not said[-1].plain.startswith(f"拟记入：【{wrong}】"), said[-1].plain
    assert await _rows(district, Record) == []


@pytest.mark.parametrize(
    "text",
    ["本周内召开党委会", "马上开党委会", "想开个党委会", "周五召开党委会", "党委会12月28日召开"],
)
async def test_future_time_is_a_plan(district: District, text: str) -> None:
    said = _messages(await district.chat.send_text(district.tg("P0101"), text))
    assert "没有记入" in said[-1].plain and not said[-1].buttons, (text, said[-1].plain)
    assert await _rows(district, Proposal) == []


async def test_a_numbered_message_splits_into_its_parts(district: District) -> None:
    d = district
    tg = d.tg("P0101")
    text = "1.召开了党委会专题研究党风廉政建设\n2.与班子成员签订了党风廉政建设目标责任书"
    proposal = _messages(await d.chat.send_text(tg, text))[-1]
    assert (
        "2 件事" in proposal.plain and "【C01】" in proposal.plain and "【C03】" in proposal.plain
    )
    await d.chat.press(tg, proposal.message_id or 0, "确认全部")
    assert len(await _rows(d, Record)) == 2


@pytest.mark.parametrize(
    ("reply", "text", "proposed", "skipped"),
    [
        (False, "1. 组织开展了警示教育活动\n2. 下周开展廉政谈话", ["C07"], "下周开展廉政谈话"),
        (False, "组织开展了警示教育活动\n今天天气不错", ["C07"], "今天天气不错"),
        (
            True,
            "1、与班子成员开展了廉政谈话\n2、召开党委会专题研究了党风廉政建设",
            ["C05", "C01"],
            "",
        ),
        (True, "与班子成员开展了廉政谈话，还组织开展了警示教育活动", ["C05", "C07"], ""),
        (True, "(1)召开党委会专题研究了党风廉政建设；(2)向上级党委述责述廉", ["C01", "C09"], ""),
    ],
)
async def test_every_part_of_a_message_is_proposed_or_said_why_not(
    district: District, reply: bool, text: str, proposed: list[str], skipped: str
) -> None:
    """A list with a plan, chatter or items other than the card's: each completed part is
    proposed on its item, every other part named with why; nothing recorded before 确认."""
    d = district
    card = await _card(d, "P0101", "C05") if reply else None
    sent = await d.chat.send_text(d.tg("P0101"), text, reply_to=card.message_id if card else None)
    said = _messages(sent)[-1].plain
    assert "处理时出现问题" not in said and "没有找到与" not in said, said
    for code in proposed:
        assert f"【{code}】" in said, (code, said)
    if skipped:
        assert "以下内容没有记入" in said and skipped in said, said
    assert await _rows(d, Record) == []


async def test_a_reply_to_a_done_items_card_is_proposed_not_recorded_again(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    card = await _card(d, "P0101", "C05")
    first = _messages(
        await d.chat.send_text(tg, "已与班子成员开展廉政谈话", reply_to=card.message_id)
    )
    assert "已记入履责记实" in first[-1].plain
    again = _messages(await d.chat.send_text(tg, "已完成", reply_to=card.message_id))[-1]
    assert "本期已有记实" in again.plain and "确认" in [b["text"] for b in again.buttons]
    assert len(await _rows(d, Record)) == 1


async def test_two_things_replied_to_a_nudge_are_both_proposed_none_recorded_at_once(
    district: District,
) -> None:
    d = district
    d.clock.set(datetime(2026, 12, 4, 9, 30, tzinfo=ZONE))
    tg = d.tg("P0103")
    [offer] = [s for s in await d.chat.send_text(d.tg("P0105"), "/nudge") if s.buttons]
    person = next(b for b in offer.buttons if b["text"].startswith("赵德明"))
    await d.chat.press(d.tg("P0105"), offer.message_id or 0, person["text"])
    mark = d.fake.mark()
    await d.app.sender.drain_once(d.clock.now())
    [letter] = [s for s in d.fake.sent_since(mark) if s.chat_id == tg]
    said = _messages(
        await d.chat.send_text(
            tg, "对一名干部开展了提醒谈话，还初核了一条问题线索", reply_to=letter.message_id
        )
    )[-1]
    assert "2 件事" in said.plain and "【S04】" in said.plain and "【S03】" in said.plain
    assert await _rows(d, Record) == []
