"""Control characters typed or imported never reach the database (and so never a document)."""

from __future__ import annotations

import io

from docx import Document
from sqlmodel import col, select

from bot.localchat.driver import Sent
from bot.services.records.report_lines import report_line
from bot.services.replies import ReplyKind
from bot.texts import record_pages
from storage.models import Notice, Person, Record, Report, SelfCheckAnswer, Unit
from tests.handlers.conftest import District
from tests.handlers.test_admin import workbook
from tests.handlers.test_broadcast_chat import draft
from tests.handlers.test_selfcheck_chat import last_buttons

SENTENCE = "今天上午召开党委会专题研究了党风廉政建设"


def _sent(sent: list[Sent]) -> Sent:
    return [s for s in sent if s.method == "sendMessage"][-1]


async def _records(d: District) -> list[Record]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Record).order_by(col(Record.id)))).all())


async def test_a_bell_in_a_record_no_longer_breaks_the_half_year_report(
    district: District,
) -> None:
    """A record typed with a BEL character: before, it was stored as typed and every 提交 of
    the 半年报告 failed after the button was answered (python-docx refuses the character), so
    the holder heard nothing, ever."""
    d, tg = district, district.tg("P0101")
    proposal = last_buttons(await d.chat.send_text(tg, f"{SENTENCE}\x07"))
    await d.chat.press(tg, proposal.message_id or 0, "确认")
    [stored] = await _records(d)
    assert stored.text == SENTENCE
    draft_message = last_buttons(await d.chat.send_text(tg, "/report"))
    done = await d.chat.press(tg, draft_message.message_id or 0, "提交")
    [document] = [s for s in done if s.method == "sendDocument"]
    paper = Document(io.BytesIO(document.document or b""))
    line = report_line(SENTENCE, stored.happened_on)  # the report's wording of the record
    assert any(line in p.text for p in paper.paragraphs), line


async def test_corrections_late_reasons_notes_and_closings_are_kept_without_controls(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    proposal = last_buttons(await d.chat.send_text(tg, SENTENCE))
    await d.chat.press(tg, proposal.message_id or 0, "确认")
    listing = last_buttons(await d.chat.send_text(tg, "/records"))
    card = last_buttons(await d.chat.press(tg, listing.message_id or 0, 1))
    prompt = _sent(await d.chat.press(tg, card.message_id or 0, "更正文字"))
    fixed = "11月23日上午\x1b[31m召开党委会\r\n专题研究\u2028党风廉政建设\x00"
    await d.chat.send_text(tg, fixed, reply_to=prompt.message_id)
    first, second = await _records(d)
    assert second.corrects_id == first.id
    assert second.text == "11月23日上午[31m召开党委会\n专题研究\n党风廉政建设"
    late = await d.invite(  # as the 补逾期说明 button's prompt stores it
        tg,
        record_pages.late_prompt(second.id or 0),
        kind=ReplyKind.LATE_NOTE,
        person_id=first.author_id,
        ref_id=second.id,
    )
    await d.chat.send_text(tg, "班子\x08调整\t延后", reply_to=late)
    *_, third = await _records(d)
    assert third.corrects_id == second.id and third.late_reason == "班子调整\t延后"

    step = last_buttons(await d.chat.send_text(tg, "/selfcheck"))
    note_prompt = _sent(await d.chat.press(tg, step.message_id or 0, "写说明"))
    await d.chat.send_text(tg, "已召开\x07党委会", reply_to=note_prompt.message_id)
    report = last_buttons(await d.chat.send_text(tg, "/report"))
    closing_prompt = _sent(await d.chat.press(tg, report.message_id or 0, "写结束语"))
    await d.chat.send_text(tg, "\x07下一步\x7f打算", reply_to=closing_prompt.message_id)
    async with d.app.sessions() as session:
        notes = (await session.exec(select(SelfCheckAnswer.note))).all()
        closing = (await session.exec(select(Report.closing))).one()
    assert [n for n in notes if n] == ["已召开党委会"]
    assert closing == "下一步打算"


async def test_a_notice_keeps_its_text_without_controls(district: District) -> None:
    await draft(district, "请各单位\x07于12月5日前报送\x1b述责述廉报告。")
    async with district.app.sessions() as session:
        notice = (await session.exec(select(Notice))).one()
    assert notice.text == "请各单位于12月5日前报送述责述廉报告。"


async def test_imported_cells_are_kept_without_controls(district: District) -> None:
    data = workbook(
        {
            "单位": [["U12", "区司法局\x85", "政府行政部门类", ""]],
            "人员": [["P1201", "王敏", "U12", "局\x9b长", "第一责任人"]],
        }
    )
    sent = await district.chat.send_document(district.tg("P0001"), data, "名单.xlsx")
    assert any("导入完成" in s.plain for s in sent)
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U12"))).one()
        person = (await session.exec(select(Person).where(col(Person.code) == "P1201"))).one()
    assert unit.name == "区司法局"  # around a name, a control character is only whitespace
    assert person.position == "局长"


async def test_a_name_with_a_control_character_inside_is_refused_at_its_sheet_row_and_column(
    district: District,
) -> None:
    """A unit name pasted from Word with a line break inside was imported and then broke every
    workbook it was written into (IllegalCharacterError for \\x0b): names are one line."""
    data = workbook(
        {
            "单位": [["U12", "区司法\n局", "政府行政部门类", ""]],
            "人员": [["P1201", "王\x9b敏", "U01", "", "班子成员"]],
        }
    )
    sent = await district.chat.send_document(district.tg("P0001"), data, "名单.xlsx")
    report = "\n".join(s.plain for s in sent if s.method == "sendMessage")
    assert "导入未执行" in report, report
    assert "单位 第 14 行「单位名称」：名称“区司法 局”含有换行、制表符等控制字符" in report
    assert "人员 第 42 行「姓名」：名称“王敏”含有换行" in report
    async with district.app.sessions() as session:
        assert (await session.exec(select(Unit).where(col(Unit.code) == "U12"))).first() is None


async def test_a_control_character_excel_saved_as_an_escape_is_refused_too(
    district: District,
) -> None:
    """Excel saves a Word-pasted \\v as `_x000B_` and openpyxl hands the escape over as text:
    `河西_x000B_街道` was imported as that literal. Decoded, it is refused at its cell."""
    data = workbook({"单位": [["U12", "河西_x000B_街道", "政府行政部门类", ""]]})
    sent = await district.chat.send_document(district.tg("P0001"), data, "名单.xlsx")
    report = "\n".join(s.plain for s in sent if s.method == "sendMessage")
    assert "导入未执行" in report, report
    assert "单位 第 14 行「单位名称」：名称“河西街道”含有换行、制表符等控制字符" in report
    async with district.app.sessions() as session:
        assert (await session.exec(select(Unit).where(col(Unit.code) == "U12"))).first() is None
