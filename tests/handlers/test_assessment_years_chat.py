"""In the chat: a 年终考核 workbook with odd years reports each bad row with row and column."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Assessment
from tests.handlers.conftest import District
from tests.handlers.test_ranking_chat import _assessment_book, _messages

ADMIN = "P0001"


async def test_odd_years_and_one_unit_twice_are_reported_by_row_and_column(
    district: District,
) -> None:
    book = _assessment_book(
        [
            ["U01", "²⁰²⁶", "好", None],  # superscript digits: str.isdigit() says yes
            ["U02", "2026", "好", None],
            ["U02", "02026", "较好", None],  # the same unit and year written another way
            ["U03", "２０２６", "好", None],  # full-width digits, as a Chinese keyboard types
        ]
    )
    text = _messages(await district.chat.send_document(district.tg(ADMIN), book, "考核.xlsx"))
    assert "处理时出现问题" not in text, text
    assert "年终考核导入未执行" in text
    assert "第 2 行「年度」：“²⁰²⁶”不是有效年度" in text, text
    assert "第 4 行「年度」：单位“U02”的 2026 年度已在第 3 行出现" in text, text
    assert "第 5 行" not in text  # ２０２６ is 2026
    async with district.app.sessions() as session:
        assert (await session.exec(select(Assessment))).all() == []
