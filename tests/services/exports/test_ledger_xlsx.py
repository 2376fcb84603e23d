"""The unit's 台账 workbook, the quarter's completion and 公示, read from a real database."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.window import SendingWindow
from bot.services.exports import year as export_ledger
from bot.services.exports.ledger_xlsx import COLUMNS, SHEETS, build_workbook
from bot.services.exports.year import collect
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.oversight.progress import quarter_progress
from bot.services.oversight.publicize import NoGroup, post_to_group
from bot.services.records.writing import add_record
from bot.services.reminders.ladder import LadderRules
from bot.texts import exports as words
from storage.models import (
    Assessment,
    DraftState,
    DueItem,
    Holding,
    Item,
    Outbox,
    Person,
    Report,
    SelfCheck,
    SelfCheckAnswer,
    Unit,
)
from tests.services.helpers import DISTRICT, NOW, ZONE

TODAY = date(2026, 11, 23)


async def _setup(session: AsyncSession) -> tuple[Unit, dict[str, Person]]:
    await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)
    unit = (await session.exec(select(Unit).where(Unit.code == "U01"))).one()
    people = (await session.exec(select(Person).where(Person.unit_id == unit.id))).all()
    return unit, {p.code: p for p in people}


async def _due(session: AsyncSession, person: Person, item: str, period: str) -> int:
    due = (
        await session.exec(
            select(DueItem.id)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(Holding.person_id == person.id, Item.code == item, DueItem.period_key == period)
        )
    ).one()
    assert due is not None
    return due


async def _add(
    session: AsyncSession, person: Person, due_id: int | None, text: str, n: int, **extra: object
) -> int:
    assert person.id is not None
    added = await add_record(
        session,
        origin=f"test:{n}",
        due_item_id=due_id,
        author_id=person.id,
        unit_id=person.unit_id,
        text=text,
        happened_on=date(2026, 11, 20),
        now=NOW + timedelta(minutes=n),
        **extra,  # type: ignore[arg-type]
    )
    assert added.record.id is not None
    return added.record.id


def _rows(book_bytes: bytes, sheet: str) -> list[list[object]]:
    book = load_workbook(io.BytesIO(book_bytes))
    return [list(r) for r in book[sheet].iter_rows(min_row=2, values_only=True)]


async def test_the_ledger_shows_corrections_undos_selfchecks_reports_and_assessment(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_ledger, "_CHUNK", 1)  # links found across IN (…) chunks
    unit, people = await _setup(session)
    first, member = people["P0101"], people["P0102"]
    c01 = await _due(session, first, "C01", "2026-Q4")
    kept = await _add(session, first, c01, "召开党委会", 1)
    fixed = await _add(session, first, c01, "召开党委会专题研究", 2, corrects_id=kept)
    m01 = await _due(session, member, "M01", "2026-Q4")
    undone = await _add(session, member, m01, "谈心谈话", 3, late_reason="出差")
    undo = await _add(session, member, m01, "撤销", 4, voids_id=undone)
    assert member.id is not None and first.id is not None and unit.id is not None
    old = SelfCheck(person_id=member.id, period_key="2026-Q4", version=1, created_at=NOW,
                    updated_at=NOW, state=DraftState.SUBMITTED, submitted_at=NOW)  # fmt: skip
    new = SelfCheck(person_id=member.id, period_key="2026-Q4", version=2, created_at=NOW,
                    updated_at=NOW, state=DraftState.SUBMITTED, submitted_at=NOW)  # fmt: skip
    session.add_all([old, new])
    await session.flush()
    assert old.id is not None and new.id is not None
    session.add(
        SelfCheckAnswer(selfcheck_id=old.id, due_item_id=m01, status="none", answered_at=NOW)
    )
    session.add(SelfCheckAnswer(selfcheck_id=new.id, due_item_id=m01, status="progress",
                                note="已约谈两人", answered_at=NOW))  # fmt: skip
    session.add(Report(person_id=first.id, period_key="2026-H2", version=1, created_at=NOW,
                       state=DraftState.SUBMITTED, submitted_at=NOW))  # fmt: skip
    session.add(Assessment(unit_id=unit.id, year=2026, result="好", score=96.5, imported_at=NOW))
    await session.flush()

    data = await collect(session, unit=unit, year=2026, quarter=None, today=TODAY)
    book = build_workbook(data, zone=ZONE)
    workbook = load_workbook(io.BytesIO(book))
    assert workbook.sheetnames == list(SHEETS)
    for name in SHEETS:
        assert [c.value for c in workbook[name][1]] == [h for h, _ in COLUMNS[name]]
    ledger = {r[0]: r for r in _rows(book, "履责记实台账")}
    assert list(ledger) == [kept, fixed, undone, undo]
    assert ledger[kept][7] == f"已被第{fixed}号更正"
    assert ledger[fixed][7] == f"更正第{kept}号"
    assert ledger[undone][7] == f"已被第{undo}号撤销" and ledger[undone][8] == "出差"
    assert ledger[undo][7] == f"撤销第{undone}号"
    assert ledger[kept][9] == "2026-11-23 10:01"  # local time
    assert {r[3] for r in ledger.values()} <= {"2026年第四季度", "2026年11月", None}
    assert ledger[kept][3] == "2026年第四季度"
    quarter = _rows(book, "季度工作进展清单")
    # quarters and periods as the buttons and lists say them, never a raw key
    q4 = {(r[1], r[2]): r for r in quarter if r[0] == "第四季度" and r[4] == "2026年第四季度"}
    assert q4[("陈立新", "C01")][6:8] == ["已完成", "2026-11-20"]  # the correction counts
    assert q4[("李红霞", "M01")][6:10] == ["未到期", None, "推进中", "已约谈两人"]  # undone
    halves = {(r[0], r[1]): r for r in _rows(book, "半年检查情况清单")}
    assert halves[("下半年", "陈立新")][7] == "已提交（第1版，2026-11-23）"
    assert halves[("下半年", "李红霞")][7] == "未提交"
    assert halves[("下半年", "单位班子")][7] is None
    assert _rows(book, "年终考核结果清单") == [
        [2026, "U01", "城关镇", "镇街类", "好", 96.5, "2026-11-23 10:00"]
    ]
    items = {r[0]: r for r in _rows(book, "年度工作任务清单")}
    assert items["C01"][9] == "陈立新" and items["D01"][9] == "单位班子"

    progress = await quarter_progress(session, unit_id=unit.id, year=2026, quarter=4, today=TODAY)
    assert progress.done == 1
    people_shares = {s.label: s for s in progress.by_person}
    assert next(iter(people_shares)) == "单位班子"
    assert people_shares["陈立新"].done == 1 and people_shares["李红霞"].done == 0


async def test_a_year_with_nothing_is_a_valid_workbook_with_headers(session: AsyncSession) -> None:
    unit, _ = await _setup(session)
    data = await collect(session, unit=unit, year=2020, quarter=2, today=TODAY)
    book = load_workbook(io.BytesIO(build_workbook(data, zone=ZONE)))
    for name in SHEETS:  # a year before the items existed: headers only, even the items sheet
        assert book[name].max_row == 1, name
    sheet = book[SHEETS[4]]
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage


async def test_publicize_queues_each_part_once_a_day(session: AsyncSession) -> None:
    unit, people = await _setup(session)
    actor = people["P0105"].id
    assert actor is not None
    with pytest.raises(NoGroup):
        await post_to_group(session, unit=unit, kind="list", parts=["x"], actor_person_id=actor,
                            now=NOW, zone=ZONE)  # fmt: skip
    unit.group_chat_id = -100500
    parts = [f"第{n}段" for n in range(1, 12)]
    posted = await post_to_group(session, unit=unit, kind="list", parts=parts,
                                 actor_person_id=actor, now=NOW, zone=ZONE)  # fmt: skip
    assert (posted.queued, posted.parts) == (11, 11)
    again = await post_to_group(session, unit=unit, kind="list", parts=parts[:3],
                                actor_person_id=actor, now=NOW, zone=ZONE)  # fmt: skip
    assert again.queued == 0
    other = await post_to_group(session, unit=unit, kind="progress", parts=["进度"],
                                actor_person_id=actor, now=NOW, zone=ZONE)  # fmt: skip
    assert other.queued == 1
    tomorrow = await post_to_group(session, unit=unit, kind="list", parts=["x"],
                                   actor_person_id=actor, now=NOW + timedelta(days=1),
                                   zone=ZONE)  # fmt: skip
    assert tomorrow.queued == 1
    rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    today = [r.text for r in rows if ":list:2026-11-23:" in r.dedupe_key]
    assert today == parts  # queued in order: the sender posts them in order
    assert {r.chat_id for r in rows} == {-100500}


async def test_a_post_made_on_friday_night_is_queued_for_monday_morning(
    session: AsyncSession,
) -> None:
    unit, people = await _setup(session)
    actor = people["P0105"].id
    assert actor is not None
    unit.group_chat_id = -100500
    friday_night = datetime(2026, 11, 27, 21, 30, tzinfo=ZONE)
    window = SendingWindow(LadderRules(), ZONE)
    await post_to_group(session, unit=unit, kind="list", parts=["甲", "乙"], actor_person_id=actor,
                        now=friday_night, zone=ZONE, window=window)  # fmt: skip
    rows = (await session.exec(select(Outbox))).all()
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=ZONE)
    assert [(r.kind, r.not_before) for r in rows] == [("publicize", monday)] * 2


def test_a_long_caption_keeps_the_totals_and_sends_the_numbers_after() -> None:
    short = "📊 <b>城关镇</b>\n合计：已完成 1/2\n按人员：陈立新 1/2"
    assert words.progress_caption(short) == (short, None)
    long = "📊 <b>城关镇</b>\n合计：已完成 1/300\n按事项：" + "；".join(
        f"C{n:03d} 0/1（0%）" for n in range(300)
    )
    caption, follow = words.progress_caption(long)
    assert follow == long
    assert caption.startswith("📊 <b>城关镇</b>\n合计：已完成 1/300\n")
    assert len(caption) <= words.CAPTION_LIMIT
