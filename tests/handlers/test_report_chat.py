"""In the chat: /report compiles the half-year, takes a closing paragraph by reply, submits a .docx once."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime

from docx import Document
from sqlmodel import col, select

from bot import texts
from bot.localchat.driver import Sent
from bot.services.errors import Stale
from bot.texts import paging
from bot.texts import report as words
from storage.models import Record, Report
from tests.handlers.conftest import ZONE, District
from tests.handlers.test_selfcheck_chat import alert, answer_all, forged, last_buttons, record

C01_TEXT = "今天上午我主持召开党委会专题研究党风廉政建设"
C01_LINE = "11月23日，主持召开党委会专题研究党风廉政建设。"  # as the report says it


async def body_of(d: District, code: str, summary: Sent) -> str:
    """The report's body as the chat shows it: 下一页 » from the summary, then page after page."""
    pages: list[Sent] = []
    shown = summary
    while shown.message_id is not None and paging.NEXT in [b["text"] for b in shown.buttons]:
        sent = await d.chat.press(d.tg(code), shown.message_id, paging.NEXT)
        shown = [s for s in sent if s.method == "sendMessage"][-1]
        pages.append(shown)
    return "\n".join(page.plain for page in pages)


def docx_text(sent: list[Sent]) -> str:
    """Every paragraph of the one .docx the bot sent."""
    [document] = [s for s in sent if s.method == "sendDocument"]
    assert document.document_name is not None and document.document_name.endswith(".docx")
    assert document.document is not None
    opened = Document(io.BytesIO(document.document))
    return "\n".join(paragraph.text for paragraph in opened.paragraphs)


async def test_a_report_is_compiled_closed_by_reply_and_submitted_once_as_docx_and_text(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    await record(d, "P0101", "C01", "2026-Q4", C01_TEXT)
    step = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    review = await answer_all(d, "P0101", step, "推进中")
    assert review.message_id is not None
    await d.chat.press(tg, review.message_id, "提交")
    draft = last_buttons(await d.chat.send_text(tg, "/report"))
    summary = draft.plain
    assert summary.startswith(
        "📄 半年报告草稿 · 2026年下半年履行全面从严治党责任情况报告（第 1 版）"
    )
    assert "报告期：2026年7月1日至2026年12月31日" in summary
    assert "一、主体责任：1 项有记实，共 1 条\n二、监督责任：本期没有已记实的事项" in summary
    assert "三、季度自查：2026年第三季度 未提交；2026年第四季度 第 1 版" in summary
    assert "【C05】" in summary.split("四、未记实：")[1] and "【C01】" not in summary
    body = await body_of(d, "P0101", draft)
    assert body.startswith("📄 半年报告草稿正文 · 2026年下半年（第 1 版）")
    main, supervision = body.index("一、履行主体责任情况"), body.index("二、履行监督责任情况")
    assert main < body.index("【C01】") < supervision
    assert (
        f"【C01】每季度至少主持召开1次党委（党组）会议专题研究党风廉政建设工作\n　　{C01_LINE}"
        in body
    )
    assert "今天上午" not in body and "2026-11-23" not in body
    assert "季度自查：2026年第四季度 推进中" in body  # C01's answer (pre-filled, then changed)
    assert "2026年第三季度：未提交" in body and "2026年第四季度：第 1 版" in body
    missing = body.index("本期未记实事项")
    assert body.index("【C05】") > missing and body.index("【I0101】") > missing
    assert "【C04】" not in body  # due 06-30: it counts in 上半年, not here
    assert body.index("季度自查：2026年11月 推进中") > missing  # D01's month, not the quarter
    assert [b["text"] for b in draft.buttons] == ["写结束语", "提交", "取消", paging.NEXT]
    assert draft.message_id is not None
    sent = await d.chat.press(tg, draft.message_id, "写结束语")
    prompt = [s for s in sent if s.method == "sendMessage"][-1]
    assert prompt.reply_markup == {"force_reply": True, "input_field_placeholder": "结束语"}
    assert prompt.message_id is not None
    closing = "下半年将继续压实主体责任，补齐廉政党课短板。"
    shown = last_buttons(await d.chat.send_text(tg, closing, reply_to=prompt.message_id))
    assert f"结束语：{closing}" in shown.plain
    assert (await body_of(d, "P0101", shown)).endswith(f"结束语\n{closing}")
    resumed = last_buttons(await d.chat.send_text(tg, "/report"))
    assert resumed.plain.startswith("📄 继续未提交的半年报告草稿")
    assert resumed.message_id is not None
    done = await d.chat.press(tg, resumed.message_id, "提交")
    paper = docx_text(done)
    for expected in (
        "2026年下半年履行全面从严治党责任情况报告",
        "单位：城关镇",
        "姓名：陈立新",
        "职务：镇党委书记",
        "报告期：2026年7月1日至2026年12月31日",
        C01_LINE,
        "本期未记实事项",
        closing,
    ):
        assert expected in paper, expected
    after = [s for s in done if s.method == "sendMessage"][-1]
    assert after.plain.startswith(
        "✅ 已提交《2026年下半年履行全面从严治党责任情况报告》（第 1 版）"
    )
    assert "一、主体责任：1 项有记实，共 1 条" in after.plain
    text = await body_of(d, "P0101", after)
    assert text.startswith("📄 已提交的半年报告正文")
    assert C01_LINE in text and closing in text and "今天上午" not in paper + text
    doubled = await d.chat.press(tg, resumed.message_id, "提交")
    assert not [s for s in doubled if s.method == "sendDocument"]
    assert "这份报告已于此前提交" in doubled[-1].plain
    async with d.app.sessions() as session:
        stored = (await session.exec(select(Report))).one()
        assert stored.state.value == "submitted" and stored.closing == closing
        assert C01_LINE in stored.body
        made = (await session.exec(select(Record).where(col(Record.origin).like("report:%")))).all()
        assert [r.text for r in made] == ["提交半年报告（第1版）"]
    assert "✅【BG】" in await d.say_all_pages("P0101", "/my")


async def test_concurrent_submits_send_one_document(district: District) -> None:
    d = district
    draft = last_buttons(await d.chat.send_text(d.tg("P0103"), "/report"))
    assert draft.message_id is not None
    presses = [d.chat.press(d.tg("P0103"), draft.message_id, "提交") for _ in range(2)]
    await asyncio.gather(*presses)
    documents = [s for s in d.fake.sent if s.method == "sendDocument"]
    assert len(documents) == 1
    async with d.app.sessions() as session:
        made = (await session.exec(select(Record).where(col(Record.origin).like("report:%")))).all()
        assert len(made) == 1
    again = last_buttons(await d.chat.send_text(d.tg("P0103"), "/report"))
    assert "（第 2 版）" in again.plain  # a new version; the first stays submitted


async def test_stale_forged_and_foreign_report_buttons_change_nothing(district: District) -> None:
    d = district
    draft = last_buttons(await d.chat.send_text(d.tg("P0101"), "/report"))
    assert draft.message_id is not None
    data = draft.buttons[1]["callback_data"]  # 提交
    foreign = alert(await forged(d, "P0102", data))
    assert foreign.show_alert and foreign.text == words.STALE[Stale.GONE]
    old_half = alert(await forged(d, "P0101", "rp:h:0:2025-H1"))
    assert old_half.text == words.STALE[Stale.GONE]
    unknown = alert(await forged(d, "P0101", data.replace("rp:ok:", "rp:zz:")))
    assert unknown.text == words.STALE[Stale.GONE]
    sent = await d.chat.press(d.tg("P0101"), draft.message_id, "写结束语")
    prompt = [s for s in sent if s.method == "sendMessage"][-1]
    assert prompt.message_id is not None
    empty = await d.chat.send_text(d.tg("P0101"), "　", reply_to=prompt.message_id)
    assert empty[-1].plain == words.CLOSING_EMPTY
    long = await d.chat.send_text(d.tg("P0101"), "长" * 1001, reply_to=prompt.message_id)
    assert "1000 字以内（现在 1001 字）" in long[-1].plain
    gone = await d.chat.press(d.tg("P0101"), draft.message_id, "取消")
    assert gone[-1].plain.startswith("已取消2026年下半年的报告草稿（第 1 版）")
    late = alert(await d.chat.press(d.tg("P0101"), draft.message_id, "提交"))
    assert late.text == words.STALE[Stale.CANCELLED]
    reply = await d.chat.send_text(d.tg("P0101"), "补充结束语", reply_to=prompt.message_id)
    assert reply[-1].plain == words.NO_DRAFT_CLOSING
    assert not [s for s in d.fake.sent if s.method == "sendDocument"]


async def test_officials_only_reminder_button_and_last_half_offered_early(
    district: District,
) -> None:
    d = district
    for code in ("P0105", "P0001"):
        assert await d.say(code, "/report") == texts.plain(texts.UNKNOWN_COMMAND)
        assert "/report" not in await d.say(code, "/help")
    assert "/report — 半年报告" in await d.say("P0103", "/help")
    sent = await forged(d, "P0102", "flow:report")  # 开始写半年报告 on a reminder
    assert "半年报告草稿" in last_buttons(sent).plain
    d.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=ZONE))
    choice = last_buttons(await d.chat.send_text(d.tg("P0101"), "/report"))
    assert choice.plain == texts.plain(words.CHOOSE_HALF)
    assert [b["text"] for b in choice.buttons] == ["2026年下半年", "2027年上半年"]
    assert choice.message_id is not None
    draft = last_buttons(await d.chat.press(d.tg("P0101"), choice.message_id, "2026年下半年"))
    assert "2026年下半年履行全面从严治党责任情况报告（第 1 版）" in draft.plain


async def test_a_report_shows_only_its_half_years_records_and_the_ledgers_unrecorded_items(
    district: District,
) -> None:
    """The 2026年下半年 report: records done in 上半年 stay out (a yearly item's due item carries
    them all), and what is unrecorded is what the ledger counts in 7–12月 and is not done."""
    d = district
    tg = d.tg("P0101")
    await record(d, "P0101", "C01", "2026-Q4", C01_TEXT)  # today, 2026-11-23
    await record(d, "P0101", "C02", "2026", "印发本年度党风廉政建设工作计划", on=date(2026, 1, 21))
    await record(d, "P0101", "C09", "2026", "起草年度述责述廉报告提纲", on=date(2026, 5, 7))
    draft = last_buttons(await d.chat.send_text(tg, "/report"))
    assert "2026年下半年履行全面从严治党责任情况报告" in draft.plain

    def check(body: str) -> None:
        assert C01_LINE in body
        for other_half in ("1月21日", "印发本年度", "5月7日", "述责述廉报告提纲"):
            assert other_half not in body, other_half
        unrecorded = body[body.index("本期未记实事项") :]
        # due in 7–12月 and not done: the quarter's, the half-year's, December's yearly ones
        for code in ("C05", "C06", "C07", "C08", "D01", "D02", "I0101"):
            assert f"【{code}】" in unrecorded, code
        # C02–C04 count in 上半年 (due 03-31, 06-30); C09 is done (its record of 5月7日); C01 today
        for code in ("C01", "C02", "C03", "C04", "C09"):
            assert f"【{code}】" not in unrecorded, code

    check(await body_of(d, "P0101", draft))
    assert draft.message_id is not None
    done = await d.chat.press(tg, draft.message_id, "提交")
    check(docx_text(done))
    check(await body_of(d, "P0101", [s for s in done if s.method == "sendMessage"][-1]))
    async with d.app.sessions() as session:
        check((await session.exec(select(Report))).one().body)
