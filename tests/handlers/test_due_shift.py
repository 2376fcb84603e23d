"""顺延 in the chat: a due date on a holiday or weekend shows the working day it moved to, and why."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.services.importing.apply import import_directory
from bot.services.importing.overrides import OverrideRow, import_overrides
from bot.services.importing.read import read_directory
from tests.handlers.conftest import NOW, ZONE, District
from tests.services import helpers


def _line_after(reply: str, code: str, period: str) -> str:
    """The two lines of an item in a list: its mark and code, then its period and due date."""
    lines = reply.splitlines()
    found = [
        lines[n] + "\n" + lines[n + 1]
        for n, line in enumerate(lines)
        if f"【{code}】" in line and n + 1 < len(lines) and period in lines[n + 1]
    ]
    assert found, f"{code} {period} not in:\n{reply}"
    return found[0]


async def test_my_shows_a_due_date_moved_off_national_day(
    district: District, tmp_path: Path
) -> None:
    folder = helpers.district(tmp_path)
    helpers.edit(folder, "items.csv", "C09", "完成时限", "10-01")
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    mine = _line_after(await district.say_all_pages("P0101", "/my"), "C09", "2026年度")
    assert mine.startswith("⚠️【C09】")
    # overdue counts from the working day it moved to: 10-08 to 11-23 is 46 days
    assert "2026年度 · 截止 2026-10-08（10月1日逢节假日顺延） · 已逾期 46 天" in mine
    owed = await district.say_all_pages("P0001", "/close P0101")
    assert "截止 2026-10-08（10月1日逢节假日顺延） · 已逾期 46 天" in owed


async def test_a_month_ending_on_a_sunday_is_due_on_monday(district: District) -> None:
    await district.chat.advance(datetime(2027, 1, 5, 10, 0, tzinfo=ZONE))
    mine = _line_after(await district.say_all_pages("P0101", "/my"), "D01", "2027年1月")
    assert "2027年1月 · 截止 2027-02-01（1月31日逢周末顺延） · 还剩 27 天" in mine
    unit = _line_after(await district.say_all_pages("P0105", "/unit"), "D01", "2027年1月")
    assert "截止 2027-02-01（1月31日逢周末顺延）" in unit


async def test_an_override_imported_later_moves_every_list_at_once(district: District) -> None:
    before = _line_after(await district.say_all_pages("P0101", "/my"), "D01", "2026年11月")
    assert "2026年11月 · 截止 2026-11-30 · 还剩 7 天" in before
    closure = [OverrideRow(line=2, day=date(2026, 11, 30), working=False, note="区机关停电")]
    async with district.app.sessions() as session:
        await import_overrides(session, rows=closure, source="停电.csv", now=NOW)
    after = _line_after(await district.say_all_pages("P0101", "/my"), "D01", "2026年11月")
    assert "2026年11月 · 截止 2026-12-01（11月30日逢节假日顺延） · 还剩 8 天" in after
    unit = _line_after(await district.say_all_pages("P0105", "/unit"), "D01", "2026年11月")
    assert "截止 2026-12-01（11月30日逢节假日顺延）" in unit
