"""Admins in the chat: /invite, and importing a workbook sent as a document."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from sqlmodel import col, select

from bot import texts
from bot.services.directory.identity import issue_invites
from bot.texts import binding as binding_texts
from storage.models import Person, Unit
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, District

SHEETS = {"单位": "units.csv", "人员": "people.csv", "责任清单": "items.csv"}


def workbook(change: dict[str, list[list[str]]] | None = None) -> bytes:
    """The sample district as one .xlsx; `change` appends rows to sheets."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for sheet, file in SHEETS.items():
        ws = book.create_sheet(sheet)
        with (DISTRICT / file).open(encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                ws.append(row)
        for row in (change or {}).get(sheet, []):
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _send(d: District, data: bytes, name: str, person: str = "P0001") -> str:
    sent = await d.chat.send_document(d.tg(person), data, name)
    return "\n".join(s.plain for s in sent if s.method == "sendMessage")


async def test_invite_gives_working_deep_links(district: District) -> None:
    reply = await district.say("P0001", "/invite P0102")
    assert "李红霞（P0102，城关镇）" in reply
    [code] = re.findall(r"start=(\w+)", reply)
    assert f"https://t.me/lvze_demo_bot?start={code}" in reply
    sent = await district.chat.send_text(777_000_123, f"/start {code}")
    assert "绑定成功！李红霞" in sent[0].plain


async def test_invite_all_sends_a_spreadsheet_file_not_a_wall_of_messages(
    unbound_district: District,
) -> None:
    d = unbound_district
    admin = 777_000_100
    async with d.app.sessions() as session:
        [mine] = await issue_invites(session, person_codes=["P0001"], now=NOW)
    await d.chat.send_text(admin, f"/start {mine.code}")
    sent = await d.chat.send_text(admin, "/invite all")
    [document] = sent
    assert document.method == "sendDocument"
    assert (document.document_name or "").endswith(".csv")
    assert "已生成 39 个邀请码" in document.plain
    assert "已绑定的 1 人未生成" in document.plain
    data = document.document or b""
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["人员编码", "姓名", "单位", "邀请码", "链接", "备注"]
    assert len({row[3] for row in rows[1:]}) == 39
    code = next(row[3] for row in rows if row[0] == "P0101")
    welcome = await d.chat.send_text(777_000_124, f"/start {code}")
    assert "绑定成功！陈立新" in welcome[0].plain


async def test_invite_usage_and_unknown_codes(district: District) -> None:
    assert await district.say("P0001", "/invite") == texts.plain(binding_texts.INVITE_USAGE)
    reply = await district.say("P0001", "/invite P0101 P9999")
    assert reply == texts.unknown_people(["P9999"])


async def test_a_workbook_imports_and_reports_what_changed(district: District) -> None:
    data = workbook({"单位": [["U12", "区司法局", "政府行政部门类", ""]]})
    mark = district.fake.mark()
    reply = await _send(district, data, "名单.xlsx")
    assert reply.startswith("已收到《名单.xlsx》")
    assert "导入完成" in reply
    assert "单位 新增 1" in reply
    edits = [s.plain for s in district.fake.sent_since(mark) if s.method == "editMessageText"]
    assert edits, "the status message should show progress"
    assert all(edit.startswith("导入中：") for edit in edits)
    async with district.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == "U12"))).one()
    assert unit.name == "区司法局"


async def test_a_bad_workbook_is_reported_by_sheet_row_and_column_and_writes_nothing(
    district: District,
) -> None:
    bad = workbook({"人员": [["P1201", "新人", "U99", "局长", "第一责任人"]]})
    reply = await _send(district, bad, "名单.xlsx")
    assert "导入未执行" in reply
    assert "人员 第 42 行「单位编码」" in reply
    assert "U99" in reply
    async with district.app.sessions() as session:
        assert (
            await session.exec(select(Person).where(col(Person.code) == "P1201"))
        ).first() is None


async def test_a_file_that_is_not_a_workbook_is_explained(district: District) -> None:
    reply = await _send(district, b"not a zip at all", "名单.xlsx")
    assert "导入未执行" in reply
    assert "不是有效的 XLSX 工作簿" in reply
    assert await _send(district, b"a,b\n", "units.csv") == texts.plain(texts.IMPORT_NOT_XLSX)


async def test_only_admins_may_send_workbooks(district: District) -> None:
    reply = await _send(district, workbook(), "名单.xlsx", person="P0101")
    assert "只有管理员可以导入" in reply and "导入" not in reply.split("只有管理员")[0]


async def test_markup_typed_by_a_user_or_found_in_a_file_is_shown_literally(
    district: District,
) -> None:
    reply = await district.say("P0001", "/invite <b>P9</b> <x>")
    assert reply == "未找到人员编码：<B>P9</B>、<X>。请核对后重试（编码见导入的“人员”表）。"
    bad = workbook({"单位": [["U12", "司法局", "<x>类</x>", ""]]})
    report = await _send(district, bad, "名单.xlsx")
    assert "导入未执行" in report
    assert "“<x>类</x>”不是有效取值" in report
