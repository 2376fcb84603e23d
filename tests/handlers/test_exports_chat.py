"""In the chat: /progress (chart and numbers), /export (the 四单 workbook), /publicize (公示)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from openpyxl import load_workbook
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.records.writing import add_record
from bot.texts import exports as words
from handlers import exports as export_handlers
from storage.models import DueItem, Holding, Item, Outbox, Person, Unit
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, ZONE, District

ADMIN, SECRETARY, FIRST, MEMBER, OTHER_SECRETARY = "P0001", "P0105", "P0101", "P0102", "P0204"
GROUP = -100123


async def record(d: District, who: str, item: str, period: str, text: str) -> int:
    """A live record for `who`'s due item of `item` in `period` (bot.services.records.writing.add_record)."""
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == who))).one()
        due = (
            await session.exec(
                select(DueItem)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(
                    Holding.person_id == person.id,
                    Item.code == item,
                    DueItem.period_key == period,
                )
            )
        ).one()
        assert person.id is not None
        added = await add_record(
            session,
            origin=f"test:{who}:{item}:{period}:{text}",
            due_item_id=due.id,
            author_id=person.id,
            unit_id=person.unit_id,
            text=text,
            happened_on=date(2026, 11, 20),
            now=NOW,
            file_id="photo-1",
            file_kind="photo",
        )
        await session.commit()
        assert added.record.id is not None
        return added.record.id


async def send(d: District, who: str, text: str) -> list[Sent]:
    return await d.chat.send_text(d.tg(who), text)


async def press(d: District, who: str, message: Sent, label: str) -> list[Sent]:
    assert message.message_id is not None
    return await d.chat.press(d.tg(who), message.message_id, label)


async def pressed(d: District, who: str, data: str) -> list[Sent]:
    """Press a button carrying `data` (forged, or kept from an old message)."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="旧按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(who), "旧消息", reply_markup=keyboard)
    return await d.chat.press(d.tg(who), message.message_id, 1)


async def forged(d: District, who: str, data: str) -> Sent:
    return (await pressed(d, who, data))[0]


def _photos(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.method == "sendPhoto"]


async def test_progress_sends_the_quarter_chart_with_its_numbers(district: District) -> None:
    await record(district, FIRST, "C01", "2026-Q4", "召开党委会专题研究党风廉政建设")
    sent = await send(district, SECRETARY, "/progress")
    [photo] = _photos(sent)
    assert (photo.document or b"").startswith(b"\x89PNG")
    assert photo.document_name == "城关镇-2026年第四季度进度.png"
    caption = photo.plain
    assert caption.startswith("📊 城关镇2026年第四季度完成情况（截至 2026-11-23）")
    assert "合计：已完成 1/" in caption
    assert "按人员：单位班子 0/" in caption
    assert "陈立新 1/" in caption
    # items as the chart labels them: short content, and whose when one person holds it
    items = caption.split("按事项：\n")[1]
    assert items.startswith("陈立新·主持召开1次党委会议专… 1/1（100%）；")
    assert "落实一岗双责 0/" in items  # M01: every member holds it
    assert "李红霞·规范征地拆迁补偿款发放 0/1" in items  # I0102
    assert "建立党风廉政建设工作台账 0/" in items  # D01: the unit team's
    # a line of a few items each, not one 900-character line; the caption fits
    assert len(caption) <= 1024 and all(len(line) <= 120 for line in caption.splitlines())
    assert not re.search(r"\b(?:[CDMS]\d\d|I\d{4}|ZC)\b", items), items
    # an admin names the unit, or picks it from the list
    [admin_photo] = _photos(await send(district, ADMIN, "/progress U01"))
    assert admin_photo.plain == caption
    [picker] = await send(district, ADMIN, "/progress")
    assert picker.plain.startswith("请选择单位（第 1/2 页）")
    [again] = _photos(await press(district, ADMIN, picker, "城关镇（U01）"))
    assert again.plain == caption


async def test_the_chart_file_names_the_unit_without_characters_unsafe_in_file_names(
    district: District,
) -> None:
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        unit.name = '城关/镇:"新区"\n'
        session.add(unit)
        await session.commit()
    [photo] = _photos(await send(district, ADMIN, "/progress U01"))
    assert photo.document_name == "城关_镇_新区-2026年第四季度进度.png"


async def test_an_official_sees_own_items_and_may_not_export(district: District) -> None:
    [photo] = _photos(await send(district, MEMBER, "/progress"))
    assert photo.plain.startswith("📊 李红霞（本人事项）2026年第四季度完成情况")
    assert photo.document_name == "城关镇-李红霞-2026年第四季度进度.png"
    assert "按事项：\n规范征地拆迁补偿款发放 0/1" in photo.plain  # own items: no name before them
    assert "单位班子" not in photo.plain
    assert await district.say(MEMBER, "/export") == texts.plain(words.OFFICIAL_EXPORT)
    assert await district.say(MEMBER, "/publicize") == texts.plain(words.OFFICIAL_PUBLICIZE)
    # the 第一责任人 answers for the unit team's items too
    [first] = _photos(await send(district, FIRST, "/progress"))
    assert "单位班子" in first.plain


async def test_a_secretary_cannot_reach_another_unit(district: District) -> None:
    refusal = texts.plain(words.not_your_unit("河西街道"))
    assert await district.say(OTHER_SECRETARY, "/export U01") == refusal
    assert await district.say(OTHER_SECRETARY, "/progress U01") == refusal
    assert await district.say(OTHER_SECRETARY, "/publicize U01") == refusal
    for data in ("ex:e:U01:0:2026:0", "ex:p:U01:0:0:-1", "ex:e::1:0:-1", "pb:U01:list"):
        answer = await forged(district, OTHER_SECRETARY, data)
        assert answer.method == "answerCallbackQuery" and answer.show_alert, data
        assert answer.text in (texts.alert(refusal), texts.plain(refusal)), data
    assert await district.say(ADMIN, "/export U99") == texts.plain(words.unknown_unit("U99"))
    nothing = await district.say(ADMIN, "/progress U00")  # the commission holds no items
    assert nothing.startswith(
        "📊 区纪委监委2026年第四季度完成情况：截至 2026-11-23，暂无应完成事项"
    )


async def test_forged_and_old_buttons(district: District) -> None:
    for data in ("ex:x:U01:0:0:-1", "ex:e:U01:0:2026:9", "ex:e:U01:0:1900:0", "pb:U01:all"):
        answer = await forged(district, ADMIN, data)
        assert answer.show_alert and answer.text == texts.STALE_BUTTON, data
    # a page button of an old list past today's last page shows the last page
    [answer, page] = await pressed(district, ADMIN, "ex:e::7:0:-1")
    assert answer.method == "answerCallbackQuery"
    assert page.plain.startswith("请选择单位（第 2/2 页）")
    assert [b["text"] for b in page.buttons][-1] == words.PREVIOUS_PAGE


async def test_officials_have_no_export_buttons_or_menu_entries(district: District) -> None:
    for data in ("ex:e:U01:0:2026:0", "pb:U01:list"):
        answer = await forged(district, MEMBER, data)
        assert answer.show_alert and answer.text == texts.STALE_BUTTON
    assert "/export" not in await district.say(MEMBER, "/help")
    assert "/export" in await district.say(SECRETARY, "/help")
    assert "/publicize" in await district.say(ADMIN, "/help")


async def test_export_workbook_has_the_four_lists_and_the_ledger(district: District) -> None:
    first = await record(district, FIRST, "C01", "2026-Q4", "=召开党委会专题研究")
    [named] = await send(district, SECRETARY, "/export u01 全年")  # own unit, any case
    assert named.plain == words.CHOOSE_YEAR
    [years] = await send(district, SECRETARY, "/export")
    assert years.plain == words.CHOOSE_YEAR
    assert [b["text"] for b in years.buttons] == ["2026年", "2025年", "2024年"]
    [_toast, quarters] = await press(district, SECRETARY, years, "2026年")
    assert next(b["text"] for b in quarters.buttons) == words.WHOLE_YEAR
    sent = await press(district, SECRETARY, quarters, words.WHOLE_YEAR)
    [document] = [s for s in sent if s.method == "sendDocument"]
    assert document.document_name == "城关镇_2026年台账.xlsx"
    assert "1 条记实" in document.plain
    book = load_workbook(io.BytesIO(document.document or b""))
    assert book.sheetnames == [
        "年度工作任务清单",
        "季度工作进展清单",
        "半年检查情况清单",
        "年终考核结果清单",
        "履责记实台账",
    ]
    ledger = book["履责记实台账"]
    assert [c.value for c in ledger[1]][:3] == ["记实编号", "人员", "事项编码"]
    row = [c.value for c in ledger[2]]
    assert row[:5] == [first, "陈立新", "C01", "2026年第四季度", "2026-11-20"]
    assert row[5] == "=召开党委会专题研究" and ledger.cell(2, 6).data_type == "s"
    assert row[6] == "有（照片）"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
    assert book["年终考核结果清单"].max_row == 1  # headers only: nothing imported
    progress = [[c.value for c in r] for r in book["季度工作进展清单"].iter_rows(min_row=2)]
    c01 = [r for r in progress if r[1] == "陈立新" and r[2] == "C01" and r[4] == "2026年第四季度"]
    assert c01 and c01[0][6] == "已完成" and c01[0][7] == "2026-11-20"


async def test_an_ampersand_in_the_unit_name_prints_as_itself_in_the_header(
    district: District,
) -> None:
    """Excel reads &A, &P, &"…" in a print header as codes: 城关&A镇 printed the sheet's name."""
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U01"))).one()
        unit.name = "城关&A镇"
        session.add(unit)
        await session.commit()
    [years] = await send(district, ADMIN, "/export U01")
    [_, quarters] = await press(district, ADMIN, years, "2026年")
    sent = await press(district, ADMIN, quarters, words.WHOLE_YEAR)
    [document] = [s for s in sent if s.method == "sendDocument"]
    with zipfile.ZipFile(io.BytesIO(document.document or b"")) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        headers = [
            element.text or ""
            for name in sheets
            for element in ElementTree.fromstring(archive.read(name)).iter()
            if element.tag.endswith("}oddHeader")
        ]
    assert len(headers) == 5, headers
    assert all("城关&&A镇" in header for header in headers), headers


async def test_export_of_an_empty_year_is_a_valid_workbook(district: District) -> None:
    [years] = await send(district, ADMIN, "/export U01")
    [_, quarters] = await press(district, ADMIN, years, "2024年")
    sent = await press(district, ADMIN, quarters, "第一季度")
    [document] = [s for s in sent if s.method == "sendDocument"]
    assert document.document_name == "城关镇_2024年第1季度台账.xlsx"
    book = load_workbook(io.BytesIO(document.document or b""))
    assert len(book.sheetnames) == 5
    for sheet in book.worksheets[1:]:
        assert sheet.max_row == 1 and sheet["A1"].value


async def test_a_document_too_large_is_refused_in_words(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_handlers, "MAX_UPLOAD", 1024)
    [years] = await send(district, SECRETARY, "/export")
    [_, quarters] = await press(district, SECRETARY, years, "2026年")
    sent = await press(district, SECRETARY, quarters, words.WHOLE_YEAR)
    assert not [s for s in sent if s.method == "sendDocument"]
    assert "台账文件过大" in "\n".join(s.plain for s in sent)


async def test_publicize_posts_once_into_the_linked_group(district: District) -> None:
    [menu] = await send(district, SECRETARY, "/publicize")
    no_group = await press(district, SECRETARY, menu, words.KIND_LIST)
    assert texts.plain(words.no_group("城关镇")) in [s.plain for s in no_group]
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        unit.group_chat_id = GROUP
        session.add(unit)
        await session.commit()
    done = await press(district, SECRETARY, menu, words.KIND_LIST)
    assert any(s.plain.startswith("✅ 已安排在城关镇单位群公示责任清单") for s in done)
    again = await press(district, SECRETARY, menu, words.KIND_LIST)
    assert texts.plain(words.already_publicized("城关镇", "责任清单")) in [s.plain for s in again]
    await press(district, ADMIN, (await send(district, ADMIN, "/publicize U01"))[0], "本季度进度")
    async with district.app.sessions() as session:
        rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    posts = [r for r in rows if r.kind == "publicize"]
    assert {r.chat_id for r in posts} == {GROUP}
    lists = [r for r in posts if ":list:" in r.dedupe_key]
    assert lists[0].text.startswith("📢 <b>城关镇2026年度党风廉政建设责任清单公示</b>")
    assert lists[0].text.endswith("（联络员刘佳发布）")
    assert all(len(r.text) <= 4096 for r in posts)
    [progress] = [r for r in posts if ":progress:" in r.dedupe_key]
    assert "（管理员周建国发布）" in progress.text


async def test_the_publicized_list_says_who_holds_how_much_first_and_each_part_fits_a_screen(
    district: District, tmp_path: Path
) -> None:
    folder = tmp_path / "district"
    shutil.copytree(DISTRICT, folder)
    with (folder / "items.csv").open("a", encoding="utf-8", newline="") as handle:
        for n in range(20):  # 陈立新 holds 20 more yearly items: his part alone is 60 lines
            row = [f"X{n:03d}", "个性", "主体责任", "P0101", f"第{n}项个性责任"]
            csv.writer(handle).writerow([*row, "", "", "每年", "03-31", "", "U01", ""])
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        unit.group_chat_id = GROUP
        session.add(unit)
        await session.commit()
    [menu] = await send(district, SECRETARY, "/publicize")
    await press(district, SECRETARY, menu, words.KIND_LIST)
    async with district.app.sessions() as session:
        rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    summary, *parts = [texts.plain(r.text) for r in rows if ":list:" in r.dedupe_key]
    assert "陈立新 30 项：主体责任 30" in summary and "赵德明 7 项：监督责任 7" in summary
    assert f"各责任人的事项见以下 {len(parts)} 条消息。" in summary
    assert len(parts) == 4 and parts[0].startswith("📢 城关镇责任清单明细（1/4）\n陈立新（30 项）")
    # the name goes on alone: not 陈立新（30 项）（续）
    assert parts[1].startswith("📢 城关镇责任清单明细（2/4）\n陈立新（续）\n")
    assert all(len(text.splitlines()) <= 30 for text in [summary, *parts])
    assert "\n".join(parts).count("【") == 30 + 2 + 6 + 6 + 7


async def test_the_publicized_list_is_each_active_holders_items_for_the_year_once(
    district: District, tmp_path: Path
) -> None:
    folder = tmp_path / "district"
    shutil.copytree(DISTRICT, folder)
    people = (folder / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "people.csv").write_text(  # 赵德明 (P0103) leaves: the import deactivates him
        "".join(line for line in people if not line.startswith("P0103,")), encoding="utf-8"
    )
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        unit.group_chat_id = GROUP
        session.add(unit)
        await session.commit()
    [menu] = await send(district, SECRETARY, "/publicize")
    await press(district, SECRETARY, menu, words.KIND_LIST)
    async with district.app.sessions() as session:
        rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    summary, *parts = [texts.plain(r.text) for r in rows if ":list:" in r.dedupe_key]
    details = "\n".join(parts)
    # C09 falls due on 12-31, after today (11-23): he holds it all the same
    assert "陈立新 10 项：主体责任 10" in summary and "【C09】" in details
    assert "单位班子" in summary and "【D02】" in details and "【M05】" in details
    assert "赵德明" not in summary + details and "【S01】" not in details
    # each member holds their own copy of a role item: nobody is its 共同责任人
    assert "共同责任人" not in details
    assert details.count("【M05】") == 2  # 李红霞's and 孙志强's, each under their own name
