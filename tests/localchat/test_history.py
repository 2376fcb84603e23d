"""The demo's history: loaded once, consistent with the one definition of outstanding, nothing in the future."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.localchat.demo import setup_demo
from bot.localchat.history import PHOTOS, history_line, load_history
from bot.services.calendar.periods import local_date
from bot.services.calendar.workdays import load_calendar
from bot.services.ledger.outstanding import live_record, outstanding
from storage.models import (
    DueItem,
    Holding,
    Item,
    Notice,
    NoticeReceipt,
    Outbox,
    OutboxState,
    Person,
    Record,
    ReminderStep,
    Report,
    SelfCheck,
    SelfCheckAnswer,
    Unit,
)
from tests.conftest import DISTRICT

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)
TABLES: tuple[type[SQLModel], ...] = (Record, DueItem, SelfCheck, SelfCheckAnswer, Report)
TABLES += (Notice, NoticeReceipt, Outbox, ReminderStep)


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        return {
            table.__name__: (await session.exec(select(func.count()).select_from(table))).one()
            for table in TABLES
        }


async def test_loaded_once_and_consistent(sessions: async_sessionmaker[AsyncSession]) -> None:
    await setup_demo(sessions, data=DISTRICT, now=NOW, zone=ZONE)
    summary = await load_history(sessions, now=NOW, zone=ZONE)
    assert summary.fresh
    assert summary.records > 300 and summary.selfchecks > 20 and summary.reports > 5
    assert summary.receipts == 18 and 0 < summary.acknowledged < summary.receipts
    assert "条记实" in history_line(summary)
    before = await _counts(sessions)
    again = await load_history(sessions, now=NOW, zone=ZONE)
    assert not again.fresh
    assert "已在库中" in history_line(again)
    assert await _counts(sessions) == before  # idempotent: nothing added the second time

    today = local_date(NOW, ZONE)
    async with sessions() as session:
        rows = (
            await session.exec(
                select(Record, DueItem, Item, Holding.unit_id)
                .join(DueItem, col(DueItem.id) == col(Record.due_item_id))
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
            )
        ).all()
        assert len(rows) == summary.records == before["Record"]
        live = (await session.exec(select(func.count(col(Record.id))).where(live_record()))).one()
        assert live == summary.live == summary.records - 3  # one correction, one undo
        for record, due, item, unit_id in rows:
            assert record.happened_on <= today and record.recorded_at <= NOW.astimezone(UTC)
            assert record.unit_id == unit_id
            if item.system is not None:  # a self-check or report is handed in after its period
                assert due.period_end < record.happened_on
            elif not due.period_start <= record.happened_on <= due.period_end:
                assert record.late_reason, (record.text, due.period_key)
        origins = Counter(r.origin.split(":")[0] for r, _d, _i, _u in rows if r.origin)
        assert origins["fix"] == 1 and origins["undo"] == 1
        assert origins["selfcheck"] == summary.selfchecks and origins["report"] == summary.reports
        photos = [r.file_id or "" for r, _d, _i, _u in rows if r.file_kind == "photo"]
        assert sorted(photos) == sorted(PHOTOS)
        assert (
            await session.exec(select(Outbox).where(col(Outbox.state) != OutboxState.SENT))
        ).first() is None
        acknowledged = (
            await session.exec(
                select(func.count()).where(col(NoticeReceipt.acknowledged_at).is_not(None))
            )
        ).one()
        assert acknowledged == summary.acknowledged

        # some units keep their ledger, some don't; someone is due a 约谈提醒
        left = await outstanding(session, now=NOW, zone=ZONE)
        codes = dict((await session.exec(select(Unit.id, Unit.code))).all())
        overdue = Counter(codes[item.unit_id] for item in left if item.overdue)
        assert overdue["U05"] > 10 > overdue["U04"]
        calendar = await load_calendar(session)
        assert any(calendar.add_working_days(item.due, 10) <= today for item in left)
        # every self-check answers only its author's own items of that quarter
        answers = (
            await session.exec(
                select(SelfCheck, DueItem, Holding)
                .join(SelfCheckAnswer, col(SelfCheckAnswer.selfcheck_id) == col(SelfCheck.id))
                .join(DueItem, col(DueItem.id) == col(SelfCheckAnswer.due_item_id))
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            )
        ).all()
        assert answers
        for sheet, due, holding in answers:
            assert holding.person_id == sheet.person_id
            assert sheet.submitted_at is not None and sheet.submitted_at <= NOW
            assert due.period_key[:4] == sheet.period_key[:4]


async def test_loads_over_a_demo_used_before(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Someone played the demo before the history existed: a self-check already started for
    Q3 and a reminder step taken; the history skips what is there instead of failing."""
    await setup_demo(sessions, data=DISTRICT, now=NOW, zone=ZONE)
    async with sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == "P0101"))).one()
        due = (await session.exec(select(DueItem))).first()
        assert person.id is not None and due is not None and due.id is not None
        session.add(
            SelfCheck(person_id=person.id, period_key="2026-Q3", created_at=NOW, updated_at=NOW)
        )
        session.add(
            ReminderStep(
                due_item_id=due.id, step="T10", sent_on=NOW.date(), outbox_key="x", created_at=NOW
            )
        )
        await session.commit()
    summary = await load_history(sessions, now=NOW, zone=ZONE)
    assert summary.fresh and summary.records > 300
    async with sessions() as session:
        sheets = (
            await session.exec(
                select(SelfCheck).where(
                    SelfCheck.person_id == person.id, SelfCheck.period_key == "2026-Q3"
                )
            )
        ).all()
        assert len(sheets) == 1  # the one already there
