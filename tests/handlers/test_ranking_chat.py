"""In the chat: /units, /ranking (buttons, text, chart, .xlsx), /duplicates and the 年终考核 workbook."""

from __future__ import annotations

import io
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from openpyxl import Workbook, load_workbook
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.texts import duplicates as duplicate_texts
from bot.texts import ranking as words
from storage.models import Assessment, Unit
from tests.handlers.conftest import District
from tests.handlers.test_admin import workbook

ADMIN = "P0001"


def _messages(sent: list[Sent]) -> str:
    return "\n".join(s.plain for s in sent if s.method == "sendMessage")


def _documents(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.method == "sendDocument"]


def _assessment_book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "年终考核"
    ws.append(["单位编码", "年度", "考核结果", "分数"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_units_shows_each_category_and_sends_a_chart(district: District) -> None:
    sent = await district.chat.send_text(district.tg(ADMIN), "/units")
    text = _messages(sent)
    assert text.startswith("各单位2026年第四季度完成情况（季度进行中，截至今日）")
    for category in ("镇街类", "政府行政部门类", "统筹协调部门类", "党群服务部门类"):
        assert category in text
    assert "城关镇：完成 0%（0/" in text
    [chart] = _documents(sent)
    assert chart.document_name == "完成率-2026年第四季度.png"
    assert (chart.document or b"").startswith(b"\x89PNG")
    earlier = await district.say(ADMIN, "/units 2026-Q1")
    assert earlier.startswith("各单位2026年第一季度完成情况\n")  # C02, C03 were due 03-31
    for wrong in ("2026-Q9", "2027-Q1", "2026-11", "<b>"):
        reply = await district.say(ADMIN, f"/units {wrong}")
        assert reply.startswith(f"看不懂“{wrong}”"), wrong


async def test_ranking_buttons_give_text_chart_and_workbook(district: District) -> None:
    d = district
    sent = await d.chat.send_text(d.tg(ADMIN), "/ranking")
    [menu] = sent
    assert menu.plain == texts.plain(words.PICK)
    labels = [b["text"] for b in menu.buttons]
    assert labels == ["2026 Q1", "2026 Q2", "2026 Q3", "2026年度", "2025年度"]
    assert menu.message_id is not None
    pressed = await d.chat.press(d.tg(ADMIN), menu.message_id, "2026 Q3")
    text = _messages(pressed)
    assert text.startswith("2026年第三季度排名（3+1）")
    assert "季度得分 = 100 ×（0.7 × 完成率 + 0.3 × 及时率）" in text
    assert "城关镇：本季度无到期事项，不参与排名" in text  # imported in November
    [book] = _documents(pressed)  # nobody scored: no chart
    assert book.document_name == "排名-2026年第三季度.xlsx"

    async with d.app.sessions() as session:
        unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
        assert unit.id is not None
        session.add(Assessment(unit_id=unit.id, year=2026, result="好", imported_at=d.clock.now()))
        await session.commit()
    pressed = await d.chat.press(d.tg(ADMIN), menu.message_id, "2026年度")
    text = _messages(pressed)
    assert text.startswith("2026年度排名（3+1）")
    assert "尚未导入2026年终考核结果" in text
    names = [s.document_name for s in _documents(pressed)]
    assert names == ["排名-2026年度.png", "排名-2026年度.xlsx"]  # 城关镇 has a score
    assert "1. 城关镇" in text and "考核 好 100.0" in text
    assert "— 河西街道 未排名 · 一至三季度" in text
    sheet = load_workbook(io.BytesIO(_documents(pressed)[1].document or b"")).active
    assert sheet is not None and sheet["I1"].value == "年终考核结果"


async def _forged(d: District, data: str) -> Sent:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="排名", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(ADMIN), "旧消息", reply_markup=keyboard)
    [answer] = await d.chat.press(d.tg(ADMIN), message.message_id, 1)
    return answer


async def test_other_roles_forged_and_future_ranking_buttons_are_refused(
    district: District,
) -> None:
    for data in ("rk:2026:Q9", "rk:1999:Q1", "rk:x:Q1"):
        answer = await _forged(district, data)
        assert answer.method == "answerCallbackQuery" and answer.show_alert, data
        assert answer.text in (words.STALE, texts.STALE_BUTTON), data
    future = await _forged(district, "rk:2027:Q1")
    assert future.text == "2027年第一季度尚未开始，暂无排名。"
    for person in ("P0101", "P0105", "P0103"):
        for command in ("/units", "/ranking", "/duplicates"):
            assert await district.say(person, command) == texts.plain(texts.UNKNOWN_COMMAND)
    menu = (await district.chat.send_text(district.tg(ADMIN), "/ranking"))[0]
    assert menu.message_id is not None
    # a secretary pressing the admin's button (e.g. a forwarded keyboard) is refused
    keyboard = InlineKeyboardMarkup.model_validate(menu.reply_markup)
    [message] = await district.app.notifier.send(
        district.tg("P0105"), "转发", reply_markup=keyboard
    )
    [answer] = await district.chat.press(district.tg("P0105"), message.message_id, 1)
    assert answer.text == texts.STALE_BUTTON
    assert "/ranking" not in await district.say("P0105", "/help")
    assert "/ranking" in await district.say(ADMIN, "/help")


async def test_the_assessment_workbook_imports_and_reports_problems(district: District) -> None:
    d = district
    bad = _assessment_book([["U01", 2026, "优秀", None], ["U77", 2026, "好", None]])
    sent = await d.chat.send_document(d.tg(ADMIN), bad, "考核.xlsx")
    text = _messages(sent)
    assert "年终考核导入未执行" in text
    assert "第 2 行「考核结果」：“优秀”不是有效结果" in text
    assert "第 3 行「单位编码」：没有单位编码“U77”" in text
    good = _assessment_book([["U01", 2026, "好", None], ["U02", 2026, "较好", 88]])
    sent = await d.chat.send_document(d.tg(ADMIN), good, "考核.xlsx")
    assert "✅ 年终考核导入完成：2026年度 2 个单位" in _messages(sent)
    sent = await d.chat.send_document(d.tg(ADMIN), good, "考核.xlsx")
    assert "其中 2 个替换了此前导入的结果" in _messages(sent)
    async with d.app.sessions() as session:
        rows = (await session.exec(select(Assessment).order_by(col(Assessment.unit_id)))).all()
    assert [(r.result, r.score) for r in rows] == [("好", None), ("较好", 88.0)]
    refused = await d.chat.send_document(d.tg("P0101"), good, "考核.xlsx")
    assert "年终考核" not in _messages(refused)  # an official's file is evidence, never an import


async def test_an_assessment_for_the_district_commission_is_refused_at_its_row(
    district: District,
) -> None:
    """U00 (区纪委监委) has no category: its result was imported and counted in "N 个单位"
    although no ranking could ever show it."""
    d = district
    book = _assessment_book([["U01", 2026, "好", None], ["u00", 2026, "好", 90]])
    text = _messages(await d.chat.send_document(d.tg(ADMIN), book, "考核.xlsx"))
    assert "年终考核导入未执行" in text, text
    assert "第 3 行「单位编码」：“U00”（区纪委监委）没有单位类别，不参加考核排名" in text
    async with d.app.sessions() as session:
        assert (await session.exec(select(Assessment))).first() is None


async def test_copied_lists_in_the_import_report_and_in_duplicates(district: District) -> None:
    d = district
    assert await d.say(ADMIN, "/duplicates") == texts.plain(duplicate_texts.NONE)
    copy = [
        "I0103",
        "个性",
        "主体责任",
        "P0103",
        "加强农村集体“三资”监管,督促各村每季度公开村级财务。",
        "检查各村财务公开栏，抽查村级账目",
        "每季度末前完成",
        "每季度",
        "",
        "",
        "U01",
        "",
    ]
    sent = await d.chat.send_document(d.tg(ADMIN), workbook({"责任清单": [copy]}), "名单.xlsx")
    report = _messages(sent)
    assert "导入完成" in report
    assert "疑似照抄清单：1 组" in report
    assert "2 人，例如【I0101】陈立新 ≈ 【I0103】赵德明 相似度 100%" in report
    listed = await d.say(ADMIN, "/duplicates")
    assert "城关镇（U01）" in listed
    assert "陈立新、赵德明 2 人" in listed
