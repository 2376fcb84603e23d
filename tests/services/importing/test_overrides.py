"""`python -m bot calendar import | show`: a whole file applied or nothing, reported line by line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.__main__ import main
from bot.cli_calendar import calendar_import, calendar_show
from bot.config import Settings
from bot.services.calendar.workdays import estimated_years, load_calendar
from bot.services.ledger.due_items import roll_due_items
from storage.models import (
    AuditEntry,
    CalendarOverride,
    CalendarYear,
    DueItem,
    DutyType,
    Frequency,
    Holding,
    Item,
    ListKind,
    ScopeKind,
)
from tests.factories import make_person, make_unit

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
# A made-up 2027 Spring Festival schedule, as admins would type it once it is published.
SPRING_2027 = (
    "日期,类型,说明\n"
    "2027-02-05,休息,春节\n"
    "2027/2/8,休息,春节\n"
    "2027/2/9,休息,春节\n"
    "2027/2/10,休息,春节\n"
    "2027/2/11,休息,春节\n"
    "2027/2/12,休息,春节\n"
    "2027/2/20,上班,春节调休\n"
)


def _settings(db_url: str) -> Settings:
    return Settings(DATABASE_URL=db_url, BOT_TIMEZONE="Asia/Shanghai")


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "2027.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


async def _overrides(session: AsyncSession) -> list[tuple[date, bool, str]]:
    rows = (await session.exec(select(CalendarOverride).order_by(col(CalendarOverride.day)))).all()
    found = [(row.day, row.working, row.note) for row in rows]
    await session.rollback()
    return found


async def _audits(session: AsyncSession) -> list[str]:
    query = select(col(AuditEntry.detail)).where(col(AuditEntry.action) == "calendar_import")
    details = list((await session.exec(query)).all())
    await session.rollback()
    return details


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
async def test_spring_festival_2027_from_an_override_file(
    db_url: str,
    session: AsyncSession,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
) -> None:
    settings = _settings(db_url)
    path = _write(tmp_path, SPRING_2027, encoding)
    assert await calendar_import(settings, path, whole_year=2027) == 0
    out = capsys.readouterr().out
    assert "新增 7 天，更新 0 天，未变 0 天（上班 1 天、休息 6 天）" in out
    assert "2027 年：管理员导入的全年安排" in out
    calendar = await load_calendar(session)
    assert calendar.source(2027) == "override"
    assert calendar.next_working(date(2027, 2, 5)) == date(2027, 2, 15)
    assert calendar.is_working(date(2027, 2, 20))
    assert calendar.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 15)
    assert (await _overrides(session))[-1] == (date(2027, 2, 20), True, "春节调休")
    [audit] = await _audits(session)
    assert '"2027-02-20": "上班 春节调休"' in audit

    changed = SPRING_2027.replace("2027/2/12,休息,春节", "2027/2/12,休息,春节（延长）")
    assert await calendar_import(settings, _write(tmp_path, changed, encoding)) == 0
    assert "新增 0 天，更新 1 天，未变 6 天" in capsys.readouterr().out
    assert len(await _audits(session)) == 2

    assert await calendar_show(settings, 2027) == 0
    shown = capsys.readouterr().out
    assert "2027 年工作日安排 — 来源：管理员导入的全年安排" in shown
    assert "[导入] 2027-02-12 周五 春节（延长）" in shown
    assert "[导入] 2027-02-20 周六 春节调休" in shown
    assert "[推算] 2027-10-01 周五 国庆节" in shown


CORRUPT = (
    "日期,类型,说明\n"
    "2027-02-30,休息,春节\n"  # line 2: no such day
    "2027-02-08,放假,春节\n"  # line 3: 类型 must be 上班 or 休息
    "2027-02-09,休息,春节\n"  # line 4
    "2027/2/9,上班,调休\n"  # line 5: the same day as line 4, the other way
    "2027-02-10,休息,春节\n"  # line 6: fine, yet not applied either
)


async def test_a_corrupt_file_is_reported_by_line_and_column_and_nothing_is_applied(
    db_url: str, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(db_url)
    assert await calendar_import(settings, _write(tmp_path, SPRING_2027)) == 0
    capsys.readouterr()
    before = await _overrides(session)
    assert await calendar_import(settings, _write(tmp_path, CORRUPT, "gb18030")) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "工作日调整未导入：发现 3 处问题，数据库未作任何改动" in err
    assert "1. 第 2 行，第 1 列（日期）：“2027-02-30”不是有效日期" in err
    assert "2. 第 3 行，第 2 列（类型）：类型“放假”无法识别：只能填 上班 或 休息" in err
    assert "3. 第 5 行，第 1 列（日期）：日期“2027/2/9”与第 4 行重复且类型相反" in err
    assert await _overrides(session) == before
    assert len(await _audits(session)) == 1

    no_kind = _write(tmp_path, "日期,说明\n2027-02-10,春节\n", name="bad.csv")
    assert await calendar_import(settings, no_kind) == 1
    assert "1. 第 1 行：缺少“类型”列" in capsys.readouterr().err
    assert await calendar_import(settings, tmp_path / "missing.csv") == 1
    assert "找不到文件" in capsys.readouterr().err
    assert await _overrides(session) == before


async def test_an_override_moves_the_open_built_in_items_at_once(
    db_url: str, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unit = await make_unit(session)
    person = await make_person(session, unit)
    item = Item(
        code="ZC",
        list_kind=ListKind.COMMON,
        duty_type=DutyType.MAIN,
        scope_kind=ScopeKind.PERSON,
        content="季度自查",
        frequency=Frequency.QUARTERLY,
        system="selfcheck",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(item)
    await session.flush()
    assert item.id is not None and unit.id is not None
    session.add(Holding(item_id=item.id, unit_id=unit.id, person_id=person.id, created_at=NOW))
    await session.commit()
    await roll_due_items(session, now=NOW, zone=ZONE)
    due = (await session.exec(select(col(DueItem.due_date)))).one()
    assert due == date(2027, 1, 15)  # 元旦 off, then Jan 4–8 and 11–15
    await session.rollback()

    closure = _write(tmp_path, "日期,类型,说明\n2027-01-12,休息,区机关集中学习\n")
    assert await calendar_import(_settings(db_url), closure) == 0
    assert "1 条未完成的季度自查、半年报告待办的截止日期已随之更新" in capsys.readouterr().out
    assert (await session.exec(select(col(DueItem.due_date)))).one() == date(2027, 1, 18)


def test_calendar_show_2026_from_the_command_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BOT_TIMEZONE", "Asia/Shanghai")
    assert main(["calendar", "show", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026 年工作日安排 — 来源：国务院办公厅公布的放假安排")
    assert "[官方] 2026-10-01 周四 国庆节" in out
    assert "[官方] 2026-10-07 周三 休息日（由 2026-10-10 调休）" in out
    assert "[官方] 2026-09-20 周日 调休上班" in out
    assert "[官方] 2026-10-10 周六 调休上班" in out
    assert "周末上班（调休，6 天）" in out
    assert "全年工作日 248 天" in out
    assert main(["calendar", "show", "2028"]) == 0
    assert "推算：仅按周末和法定节假日" in capsys.readouterr().out


CLOSURE_2027 = "日期,类型,说明\n2027-01-12,休息,区机关集中学习\n"


async def _known_years(session: AsyncSession) -> list[int]:
    years = list((await session.exec(select(col(CalendarYear.year)))).all())
    await session.rollback()
    return years


async def test_a_local_closure_leaves_2027_estimated_only_a_whole_year_makes_it_known(
    db_url: str, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(db_url)
    assert await calendar_import(settings, _write(tmp_path, CLOSURE_2027, name="closure.csv")) == 0
    out = capsys.readouterr().out
    assert "2027 年：推算" in out  # was: 2027 年：管理员导入的安排, though its 调休 are unknown
    assert "2027 年的调休仍未知" in out and "--year 2027" in out
    calendar = await load_calendar(session)
    assert calendar.source(2027) == "estimated"
    assert not calendar.is_working(date(2027, 1, 12))  # the closure itself applies
    assert estimated_years(calendar, today=date(2026, 11, 25)) == [2027]  # admins still told
    await session.rollback()
    assert await calendar_show(settings, 2027) == 0
    shown = capsys.readouterr().out
    assert "来源：推算" in shown and "（另有 1 天管理员导入的个别调整）" in shown

    # a file declared to be another year's whole schedule is refused, nothing applied
    before = await _overrides(session)
    assert await calendar_import(settings, _write(tmp_path, SPRING_2027), whole_year=2028) == 1
    out, err = capsys.readouterr()
    assert out == "" and "--year 2028 声明此文件是 2028 年的全年放假安排" in err
    assert await _overrides(session) == before and await _known_years(session) == []

    assert await calendar_import(settings, _write(tmp_path, SPRING_2027), whole_year=2027) == 0
    assert "2027 年：管理员导入的全年安排" in capsys.readouterr().out
    calendar = await load_calendar(session)
    assert calendar.source(2027) == "override"
    assert estimated_years(calendar, today=date(2026, 11, 25)) == []
    assert await _known_years(session) == [2027]
    assert '"whole_year": 2027' in (await _audits(session))[-1]


def test_calendar_import_year_from_the_command_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("BOT_TIMEZONE", "Asia/Shanghai")
    closure = str(_write(tmp_path, CLOSURE_2027, name="closure.csv"))
    assert main(["calendar", "import", closure]) == 0
    assert "2027 年：推算" in capsys.readouterr().out
    assert main(["calendar", "import", str(_write(tmp_path, SPRING_2027)), "--year", "2027"]) == 0
    assert "2027 年：管理员导入的全年安排" in capsys.readouterr().out
    assert main(["calendar", "show", "2027"]) == 0
    assert "来源：管理员导入的全年安排" in capsys.readouterr().out
