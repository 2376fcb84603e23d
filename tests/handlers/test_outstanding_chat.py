"""In the chat: New Year's Eve's items are overdue on New Year's Day, and an admin can /close one."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import col, select

from bot import texts
from storage.models import AuditEntry, Person
from tests.handlers.conftest import ZONE, District


def _line_after(reply: str, code: str) -> str:
    lines = reply.splitlines()
    index = next(n for n, line in enumerate(lines) if f"【{code}】" in line)
    return lines[index] + "\n" + lines[index + 1]


async def test_new_years_eve_items_show_as_overdue_after_midnight(district: District) -> None:
    await district.chat.advance(datetime(2026, 12, 31, 10, 0, tzinfo=ZONE))
    eve = await district.say_all_pages("P0101", "/my")
    assert eve.count("今天到期") == 9
    assert "⚠️ 已逾期 4" in eve
    await district.chat.advance(datetime(2027, 1, 1, 0, 10, tzinfo=ZONE))
    new_year = await district.say_all_pages("P0101", "/my")
    assert "今天到期" not in new_year
    assert "⚠️ 已逾期 13" in new_year
    assert "含往期未完成 15 项" in new_year  # 13 overdue, and Q4 季度自查 and H2 半年报告
    c01 = _line_after(new_year, "C01")
    assert c01.startswith("⚠️【C01】")
    assert "2026年第四季度 · 截止 2026-12-31 · 已逾期 1 天" in c01
    assert "2026年12月 · 截止 2026-12-31 · 已逾期 1 天" in new_year  # D01's December
    assert "2027年第一季度 · 截止 2027-03-31 · 还剩 89 天" in new_year  # C01 this quarter
    unit = await district.say_all_pages("P0105", "/unit")
    assert "⚠️ 已逾期" in unit
    assert "2026年第四季度 · 截止 2026-12-31 · 已逾期 1 天" in unit


async def test_an_admin_closes_a_missed_item_and_it_stops_counting(district: District) -> None:
    await district.chat.advance(datetime(2027, 1, 1, 0, 10, tzinfo=ZONE))
    owed = await district.say_all_pages("P0001", "/close P0101")
    assert owed.startswith(
        "陈立新（P0101）未完成的事项 29 项（逾期 13 项，未到期 16 项，逾期的在前） · 第 1/4 页："
    )
    assert "/close P0101 C04 2026 原因" in owed
    reply = await district.say("P0001", "/close P0101 C04 2026 年中调离，党课由继任者补讲")
    assert reply.startswith("⚪ 已关闭：陈立新（P0101）的【C04】")
    assert "2026年度 · 截止 2026-06-30，已逾期 185 天" in reply
    assert "原因：年中调离，党课由继任者补讲" in reply
    mine = await district.say_all_pages("P0101", "/my")
    assert "⚠️ 已逾期 12" in mine
    assert "2026年度 · 截止 2026-06-30" not in mine
    async with district.app.sessions() as session:
        audit = (
            await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "close_due_item"))
        ).one()
        admin = (await session.exec(select(Person).where(col(Person.code) == "P0001"))).one()
    assert audit.actor_person_id == admin.id
    assert json.loads(audit.detail)["reason"] == "年中调离，党课由继任者补讲"
    again = await district.say("P0001", "/close P0101 C04 2026 重复")
    assert "已于 2027-01-01 00:10 关闭" in again


async def test_close_explains_bad_input_in_chinese(district: District) -> None:
    cases = {
        "/close": "用法：/close 人员编码 事项编码 周期 原因",
        "/close P0101 C04": "用法：",
        "/close P9999 C04 2026 调离": "未找到人员或单位编码“P9999”",
        "/close P0101 Z99 2026 调离": "未找到事项编码“Z99”",
        "/close P0101 C04 2026-Q5 调离": "看不懂周期“2026-Q5”",
        "/close P0102 C04 2026 调离": "李红霞（P0102）不负责事项【C04】",
        "/close P0101 C04 2025 调离": "在该周期没有待办",
        "/close P0101 C04 2026": "请写明关闭陈立新（P0101）事项【C04】的原因",
        "/close U01 D01 2026-11 台账迁移": "⚪ 已关闭：城关镇（U01）单位班子的【D01】",
    }
    for command, expected in cases.items():
        assert expected in await district.say("P0001", command), command


async def test_only_admins_can_close(district: District) -> None:
    for person in ("P0101", "P0105"):
        reply = await district.say(person, "/close P0101 C04 2026 自己关掉")
        assert reply == texts.plain(texts.UNKNOWN_COMMAND)
    assert "/close" in await district.say("P0001", "/help")
    assert "/close" not in await district.say("P0101", "/help")
