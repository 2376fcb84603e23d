"""Copied lists: near copies of individual items within a unit are flagged, different ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.oversight.duplicates import (
    DEFAULT_THRESHOLD,
    HeldText,
    duplicate_pairs,
    find_pairs,
    groups,
    similarity,
    words,
)
from bot.services.records.matcher import Matcher
from bot.texts import duplicates as words_of
from tests.services.helpers import NOW, ZONE, district, read_rows, write_rows


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def _held(code: str, person: str, content: str, unit: str = "U01") -> HeldText:
    return HeldText(code, person, f"某{person}", unit, "城关镇", content)


NEAR_COPIES = [
    # one word changed
    ("加强食品安全监管领域廉政风险防控", "加强药品安全监管领域廉政风险防控"),
    # different punctuation, full-width against half-width
    (
        "加强农村集体“三资”监管，督促各村每季度公开村级财务。",
        '加强农村集体"三资"监管,督促各村每季度公开村级财务',
    ),
    # traditional characters
    ("规范征地拆迁补偿款发放，做到全程公开公示", "規範徵地拆遷補償款發放，做到全程公開公示"),
    # a word dropped
    ("加强扶贫和惠农补贴资金使用监管", "加强惠农补贴资金使用监管"),
]
DIFFERENT = [
    (
        "整治教育收费、招生入学等群众身边的不正之风",
        "开展师德师风专项整治，查处在职教师违规有偿补课",
    ),
    (
        "加强财政资金拨付审批监管，防范资金使用廉政风险",
        "规范政府采购程序，开展政府采购领域专项检查",
    ),
    ("规范社区工作经费使用，每半年开展一次经费自查", "整治基层服务窗口吃拿卡要、推诿扯皮问题"),
    ("加强建筑市场执法监管，杜绝以权谋私", "规范行政执法检查，杜绝吃拿卡要和选择性执法"),
]


@pytest.mark.parametrize(("first", "second"), NEAR_COPIES)
def test_near_copies_reach_the_threshold(matcher: Matcher, first: str, second: str) -> None:
    score = similarity(words(matcher.analyse, first), words(matcher.analyse, second))
    assert score >= DEFAULT_THRESHOLD, score


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_items_stay_well_below(matcher: Matcher, first: str, second: str) -> None:
    score = similarity(words(matcher.analyse, first), words(matcher.analyse, second))
    assert score < 0.5, score


def test_only_different_people_of_one_unit_are_paired(matcher: Matcher) -> None:
    text = "加强食品安全监管领域廉政风险防控"
    texts = [
        _held("I1", "P0101", text),
        _held("I2", "P0101", text),  # the same person twice: not a copied list
        _held("I3", "P0102", text.replace("食品", "药品")),
        _held("I4", "P0201", text, unit="U02"),  # another unit
        _held("I5", "P0103", "开展师德师风专项整治"),
    ]
    pairs = find_pairs(texts, analyse=matcher.analyse)
    assert [(p.first.item_code, p.second.item_code) for p in pairs] == [("I1", "I3"), ("I2", "I3")]
    assert [[t.item_code for t in group] for group in groups(pairs)] == [["I1", "I2", "I3"]]
    rendered = words_of.render(pairs, threshold=DEFAULT_THRESHOLD)
    assert "疑似照抄清单：1 组" in rendered
    assert "【I1】" in rendered and " ≈ 【I3】" in rendered and "相似度 83%" in rendered
    assert words_of.render([], threshold=DEFAULT_THRESHOLD) == words_of.NONE


async def test_the_directory_check_finds_the_copied_rows_of_an_import(
    session: AsyncSession, matcher: Matcher, tmp_path: Path
) -> None:
    folder = district(tmp_path)
    await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    assert await duplicate_pairs(session, analyse=matcher.analyse) == []
    headers, rows = read_rows(folder, "items.csv")
    source = next(row for row in rows if row["事项编码"] == "I0101")
    copy = {**source, "事项编码": "I0103", "适用范围": "P0103"}
    copy["责任内容"] = source["责任内容"].replace("，", ",") + "。"
    write_rows(folder, "items.csv", headers, [*rows, copy])
    await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    [pair] = await duplicate_pairs(session, analyse=matcher.analyse)
    assert (pair.first.item_code, pair.second.item_code) == ("I0101", "I0103")
    assert (pair.first.person_code, pair.second.person_code) == ("P0101", "P0103")
    assert pair.similarity == pytest.approx(1.0)
