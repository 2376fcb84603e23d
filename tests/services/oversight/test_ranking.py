"""Each unit's quarter (done, on time, closed), the 3+1 scores and ranks, and the 年终考核 import."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings, parse_scores
from bot.services.exports.ranking_xlsx import quarter_workbook
from bot.services.importing.apply import import_directory
from bot.services.importing.assessment import (
    AssessmentRejected,
    has_assessment_sheet,
    import_assessments,
)
from bot.services.importing.read import read_directory
from bot.services.ledger.due_items import roll_due_items
from bot.services.oversight.ranking import Ranked, RankingRules, quarter_ranking, rank, year_ranking
from bot.services.oversight.units import UnitProgress, quarter, quarter_progress
from bot.services.records.writing import add_record
from bot.texts import ranking as words
from storage.models import Assessment, Category, DueItem, Holding, Person, Unit
from tests.services.helpers import DISTRICT, ZONE

RULES = RankingRules()
RESULTS = [word for word, _ in RULES.scores]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


async def _district_since_january(session: AsyncSession, until: date) -> None:
    await import_directory(
        session, tables=read_directory(DISTRICT), now=at(date(2026, 1, 5)), zone=ZONE
    )
    await roll_due_items(session, now=at(until), zone=ZONE)


async def _due_in_q1(session: AsyncSession, person_code: str) -> list[tuple[int, int, int]]:
    """(due item id, person id, unit id) of a person's due items due in 2026-Q1, by id."""
    rows = (
        await session.exec(
            select(col(DueItem.id), col(Person.id), col(Person.unit_id))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Person, col(Person.id) == col(Holding.person_id))
            .where(
                col(Person.code) == person_code,
                col(DueItem.due_date) >= date(2026, 1, 1),
                col(DueItem.due_date) <= date(2026, 3, 31),
            )
            .order_by(col(DueItem.id))
        )
    ).all()
    return [(d, p, u) for d, p, u in rows if d is not None and p is not None]


async def _record(session: AsyncSession, due: tuple[int, int, int], when: date) -> int:
    added = await add_record(
        session,
        origin=f"test:{due[0]}:{when}",
        due_item_id=due[0],
        author_id=due[1],
        unit_id=due[2],
        text="已完成",
        happened_on=when,
        now=at(when),
    )
    await session.commit()
    assert added.record.id is not None
    return added.record.id


def _unit(units: list[UnitProgress], code: str) -> UnitProgress:
    return next(u for u in units if u.code == code)


async def test_a_quarter_counts_done_on_time_late_closed_and_undone(session: AsyncSession) -> None:
    await _district_since_january(session, date(2026, 4, 20))
    span = quarter(2026, 1)
    now = at(date(2026, 4, 20))
    before = _unit(await quarter_progress(session, span=span, now=now, zone=ZONE), "U01")
    assert (before.done, before.timely) == (0, 0)
    assert before.total > 4
    first, second, third, fourth = (await _due_in_q1(session, "P0101"))[:4]
    await _record(session, first, date(2026, 1, 20))  # on time
    await _record(session, second, date(2026, 4, 10))  # after every Q1 due date: late
    undone = await _record(session, third, date(2026, 2, 1))
    await add_record(
        session,
        origin="test:undo",
        due_item_id=third[0],
        author_id=third[1],
        unit_id=third[2],
        text="撤销",
        happened_on=date(2026, 2, 2),
        now=at(date(2026, 2, 2)),
        voids_id=undone,
    )
    closed = await session.get(DueItem, fourth[0])
    assert closed is not None
    closed.closed_at, closed.closed_reason = at(date(2026, 4, 1)), "测试"
    await session.commit()
    after = _unit(await quarter_progress(session, span=span, now=now, zone=ZONE), "U01")
    assert (after.total, after.done, after.timely) == (before.total - 1, 2, 1)
    assert after.completion == pytest.approx(2 / after.total)
    assert after.timeliness == pytest.approx(1 / after.total)
    assert after.overdue > 0  # the Q1 items nobody recorded are overdue on 4-20
    other = _unit(await quarter_progress(session, span=span, now=now, zone=ZONE), "U02")
    assert (other.done, other.timely) == (0, 0)
    text = words.units(span, False, await quarter_progress(session, span=span, now=now, zone=ZONE))
    assert "<b>镇街类</b>" in text and "城关镇：完成" in text
    assert text.index("城关镇") < text.index("河西街道")  # best completion first
    assert "区纪委监委" not in text  # no category: not ranked


async def test_quarter_and_year_rankings_with_the_assessment(session: AsyncSession) -> None:
    await _district_since_january(session, date(2026, 10, 20))
    now = at(date(2026, 10, 20))
    for due in (await _due_in_q1(session, "P0201"))[:3]:
        await _record(session, due, date(2026, 1, 10))
    lines = await quarter_ranking(session, year=2026, number=1, rules=RULES, now=now, zone=ZONE)
    towns = [line for line in lines if line.category is Category.TOWN]
    assert towns[0].code == "U02"
    assert towns[0].rank == 1
    assert towns[1].rank == towns[2].rank == 2  # nothing recorded: equal scores share a rank
    progress = towns[0].progress
    assert progress is not None and progress.completion and progress.timeliness
    expected = 100 * (0.7 * progress.completion + 0.3 * progress.timeliness)
    assert towns[0].score == pytest.approx(expected)
    book = load_workbook(io.BytesIO(quarter_workbook("2026年第一季度", lines)))
    sheet = book.active
    assert sheet is not None and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:5] == ["类别", "类别内排名", "单位编码", "单位名称", "得分"]
    assert sheet["C2"].value == "U02"
    rate = sheet["F2"]  # 完成率: the fraction, shown as a percentage as people read it
    assert rate.value == pytest.approx(progress.completion, abs=1e-4)
    assert rate.number_format == "0%" and sheet["G2"].number_format == "0%"

    year = await year_ranking(session, year=2026, rules=RULES, now=now, zone=ZONE)
    assert all(line.score is None for line in year)  # no assessment imported yet
    assert "考核 未导入" in words.year_ranking(2026, year, RULES)
    sheet_rows = [["U01", 2026, "好", None], ["U02", "2026", "一般", 90], ["U03", 2026, "差", ""]]
    done = await import_assessments(
        session, data=_assessments(sheet_rows), results=RESULTS, now=now
    )
    assert (done.imported, done.replaced, done.years) == (3, 0, (2026,))
    year = await year_ranking(session, year=2026, rules=RULES, now=now, zone=ZONE)
    u02 = next(line for line in year if line.code == "U02")
    known = [q for q in u02.quarters if q is not None]
    assert u02.assessment_score == 90  # a given score wins over the word's
    assert u02.score == pytest.approx(sum(known) / len(known) * 0.6 + 90 * 0.4)
    u01 = next(line for line in year if line.code == "U01")
    assert u01.assessment_score == 100 and u01.rank == 1
    again = await import_assessments(
        session, data=_assessments([["U01", 2026, "较好", None]]), results=RESULTS, now=now
    )
    assert (again.imported, again.replaced) == (1, 1)
    rows = (await session.exec(select(Assessment).order_by(col(Assessment.unit_id)))).all()
    assert [(r.result, r.score) for r in rows] == [("较好", None), ("一般", 90.0), ("差", None)]


async def test_the_demo_assessment_file_imports(session: AsyncSession) -> None:
    await _district_since_january(session, date(2026, 1, 5))
    data = (DISTRICT.parent / "assessment" / "2026.xlsx").read_bytes()
    assert has_assessment_sheet(data)
    done = await import_assessments(session, data=data, results=RESULTS, now=at(date(2026, 12, 30)))
    assert (done.imported, done.years) == (11, (2026,))


def test_ranks_within_a_category_share_ties_and_leave_the_unscored_last() -> None:
    def line(code: str, category: Category, score: float | None) -> Ranked:
        return Ranked(code, code, category, score, None)

    ranked = rank(
        [
            line("A", Category.TOWN, 80.0),
            line("B", Category.TOWN, None),
            line("C", Category.TOWN, 90.0),
            line("D", Category.TOWN, 80.0),
            line("E", Category.TOWN, 70.0),
            line("F", Category.GOVERNMENT, 50.0),
        ]
    )
    assert [(r.code, r.rank) for r in ranked] == [
        ("C", 1),
        ("A", 2),
        ("D", 2),
        ("E", 4),
        ("B", None),
        ("F", 1),
    ]


def _assessments(rows: list[list[Any]], sheet: str = "年终考核") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(["单位编码", "年度", "考核结果", "分数"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_bad_assessment_sheet_is_reported_by_row_and_imports_nothing(
    session: AsyncSession,
) -> None:
    await _district_since_january(session, date(2026, 1, 5))
    bad = _assessments(
        [
            ["U01", 2026, "好", None],
            ["U99", 2026, "好", None],
            ["U02", "明年", "优秀", 120],
            ["U01", 2026, "差", None],
        ]
    )
    assert has_assessment_sheet(bad)
    assert not has_assessment_sheet(_assessments([], sheet="单位"))
    assert not has_assessment_sheet(b"not a workbook")
    with pytest.raises(AssessmentRejected) as refused:
        await import_assessments(session, data=bad, results=RESULTS, now=at(date(2026, 1, 5)))
    text = words.assessment_rejected(refused.value.problems)
    assert "第 3 行「单位编码」：没有单位编码“U99”" in text
    assert "第 4 行「年度」：“明年”不是有效年度" in text
    assert "第 4 行「考核结果」：“优秀”不是有效结果，应为 好、较好、一般、差 之一" in text
    assert "第 4 行「分数」：“120”不是 0–100 的分数" in text
    assert "第 5 行「年度」：单位“U01”的 2026 年度已在第 2 行出现" in text
    assert (await session.exec(select(Assessment))).all() == []
    with pytest.raises(AssessmentRejected) as empty:
        await import_assessments(
            session, data=_assessments([]), results=RESULTS, now=at(date(2026, 1, 5))
        )
    assert "没有数据行" in words.assessment_rejected(empty.value.problems)
    units = (await session.exec(select(Unit))).all()
    assert len(units) == 12


def test_the_formula_settings_are_checked() -> None:
    assert parse_scores("好=100，较好=85,一般=70,差=50")[1] == ("较好", 85.0)
    for bad in ("好100", "好=101", "=80"):
        with pytest.raises(ValueError, match="结果=分数"):
            parse_scores(bad)
    with pytest.raises(ValidationError):
        Settings(RANKING_WEIGHT_COMPLETION=0.5, RANKING_WEIGHT_TIMELINESS=0.3)
    with pytest.raises(ValidationError):
        Settings(ASSESSMENT_SCORES="优=一百")
    ok = Settings(RANKING_WEIGHT_COMPLETION=0.6, RANKING_WEIGHT_TIMELINESS=0.4)
    assert ok.ranking_weight_assessment == 0.4
