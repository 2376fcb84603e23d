"""Notices as services: audiences, exactly-once sending under real concurrency, 已阅, reminders."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import stored_period
from bot.services.ledger.outstanding import OutstandingItem
from bot.services.notices import broadcast as notices
from bot.services.notices import stats as notice_stats
from bot.services.notices.audience import ALL, CATEGORY, ROLE, UNIT, Audience, members, parse
from bot.services.notices.broadcast import NoticeProblem, NoticeRefused, Part, Sending
from bot.services.notices.stats import Ack
from bot.services.oversight import interviews
from storage.models import (
    AuditEntry,
    Category,
    DraftState,
    DutyType,
    Notice,
    NoticeReceipt,
    Outbox,
    OutboxState,
    Person,
    Role,
    Unit,
)
from tests.factories import NOW, make_person, make_unit

ZONE = ZoneInfo("Asia/Shanghai")
Sessions = async_sessionmaker[AsyncSession]


def _compose(notice: Notice) -> list[Part]:
    return [Part(f"通知：{notice.text}")]


def _ack(receipt_id: int) -> str:
    return f'{{"inline_keyboard": [[{{"text": "已阅", "callback_data": "ack:{receipt_id}"}}]]}}'


async def _district(session: AsyncSession) -> tuple[Person, list[Person]]:
    """An admin and five people in two categories (one without Telegram, one inactive)."""
    office = await make_unit(session, "U00", "区纪委监委")
    town = await make_unit(session, "U01", "城关镇")
    bureau = await make_unit(session, "U04", "区财政局")
    town.category, bureau.category = Category.TOWN, Category.GOVERNMENT
    session.add_all([town, bureau])
    admin = await make_person(session, office, "P0001", "周建国", (Role.ADMIN,), telegram_id=9001)
    people = [
        await make_person(session, town, "P0101", "陈立新", (Role.FIRST,), telegram_id=9101),
        await make_person(session, town, "P0105", "刘佳", (Role.SECRETARY,), telegram_id=9105),
        await make_person(session, town, "P0102", "李红霞", (Role.MEMBER,)),
        await make_person(session, bureau, "P0401", "罗振华", (Role.FIRST,), telegram_id=9401),
        await make_person(session, bureau, "P0402", "梁晓东", (Role.MEMBER,), active=False),
    ]
    return admin, people


async def _ready(session: AsyncSession, admin: Person, audience: Audience) -> int:
    assert admin.id is not None
    notice = await notices.start_draft(session, author_id=admin.id, now=NOW)
    assert notice.id is not None
    await notices.fill_draft(session, notice_id=notice.id, author_id=admin.id, text="年度报告")
    await notices.choose(session, notice_id=notice.id, author_id=admin.id, audience=audience)
    await session.commit()
    return notice.id


async def _send(sessions: Sessions, notice_id: int, author_id: int) -> Sending:
    async with sessions() as session:
        sending = await notices.send(
            session,
            notice_id=notice_id,
            author_id=author_id,
            now=NOW,
            compose=_compose,
            ack_markup=_ack,
        )
        await session.commit()
        return sending


async def test_audiences_name_active_people_and_leave_out_the_author(
    session: AsyncSession,
) -> None:
    admin, people = await _district(session)
    town = (await session.exec(select(Unit).where(col(Unit.code) == "U01"))).one()

    async def names(audience: Audience) -> tuple[list[str], list[str]]:
        reach = await members(session, audience=audience, exclude_person_id=admin.id)
        return [m.code for m in reach.bound], [m.code for m in reach.unbound]

    assert await names(Audience(ALL)) == (["P0101", "P0105", "P0401"], ["P0102"])
    assert await names(Audience(CATEGORY, ("政府行政部门类",))) == (["P0401"], [])
    assert await names(Audience(UNIT, (str(town.id),))) == (["P0101", "P0105"], ["P0102"])
    assert await names(Audience(ROLE, ("联络员", "第一责任人"))) == (
        ["P0101", "P0105", "P0401"],
        [],
    )
    assert await names(Audience(ROLE, ("管理员",))) == ([], [])
    assert parse("cat:镇街类,政府行政部门类") == Audience(CATEGORY, ("镇街类", "政府行政部门类"))
    assert parse("") is None and parse("nonsense:1") is None
    assert Audience(UNIT, ("5",)).toggled("3").encode() == "unit:3,5"
    assert Audience(UNIT, tuple(str(n) for n in range(100))).fits() is False
    assert len(people) == 5


async def test_two_confirms_at_once_queue_one_set_of_rows(
    sessions: Sessions, session: AsyncSession
) -> None:
    admin, _ = await _district(session)
    assert admin.id is not None
    for _round in range(3):
        notice_id = await _ready(session, admin, Audience(ALL))
        results = await asyncio.gather(
            _send(sessions, notice_id, admin.id), _send(sessions, notice_id, admin.id)
        )
        assert sorted(r.again for r in results) == [False, True], results
        assert {r.total for r in results} == {3}
        async with sessions() as check:
            receipts = (
                await check.exec(
                    select(func.count()).where(col(NoticeReceipt.notice_id) == notice_id)
                )
            ).one()
            rows = (
                await check.exec(
                    select(Outbox).where(col(Outbox.dedupe_key).like(f"notice:{notice_id}:%"))
                )
            ).all()
        assert receipts == 3 and len(rows) == 3
        assert all(r.priority == notices.PRIORITY and r.kind == "notice" for r in rows)
    again = await _send(sessions, notice_id, admin.id)
    assert again == Sending(notice_id, 3, again=True)


async def test_refusals_leave_the_draft_as_it_was(
    session: AsyncSession, sessions: Sessions
) -> None:
    admin, people = await _district(session)
    assert admin.id is not None and people[0].id is not None
    notice = await notices.start_draft(session, author_id=admin.id, now=NOW)
    assert notice.id is not None
    await session.commit()
    with pytest.raises(NoticeRefused) as refused:
        await _send(sessions, notice.id, admin.id)
    assert refused.value.problem == NoticeProblem.NO_TEXT
    with pytest.raises(NoticeRefused) as refused:
        await notices.fill_draft(session, notice_id=notice.id, author_id=people[0].id, text="冒名")
    assert refused.value.problem == NoticeProblem.NOT_FOUND
    await notices.fill_draft(session, notice_id=notice.id, author_id=admin.id, text="正文")
    await notices.choose(
        session, notice_id=notice.id, author_id=admin.id, audience=Audience(ROLE, ("管理员",))
    )
    await session.commit()
    with pytest.raises(NoticeRefused) as refused:
        await _send(sessions, notice.id, admin.id)
    assert refused.value.problem == NoticeProblem.EMPTY_AUDIENCE
    async with sessions() as check:
        again = await check.get(Notice, notice.id)
    assert again is not None and again.state == DraftState.DRAFT and again.sent_at is None


async def test_acknowledging_once_and_the_counts_and_reminders(
    sessions: Sessions, session: AsyncSession
) -> None:
    admin, _ = await _district(session)
    assert admin.id is not None
    notice_id = await _ready(session, admin, Audience(ALL))
    await _send(sessions, notice_id, admin.id)
    receipts = (
        await session.exec(select(NoticeReceipt).order_by(col(NoticeReceipt.person_id)))
    ).all()
    first, second = receipts[0], receipts[1]
    assert first.id is not None and second.id is not None
    outcome = await notice_stats.acknowledge(
        session, receipt_id=first.id, person_id=second.person_id, now=NOW
    )
    assert outcome == Ack.NOT_YOURS
    assert (
        await notice_stats.acknowledge(
            session, receipt_id=first.id, person_id=first.person_id, now=NOW
        )
        == Ack.DONE
    )
    assert (
        await notice_stats.acknowledge(
            session, receipt_id=first.id, person_id=first.person_id, now=NOW
        )
        == Ack.AGAIN
    )
    assert (
        await notice_stats.acknowledge(session, receipt_id=999, person_id=first.person_id, now=NOW)
        == Ack.NOT_YOURS
    )
    assert first.outbox_id is not None
    failed = await session.get(Outbox, first.outbox_id)
    assert failed is not None
    failed.state = OutboxState.SENT
    session.add(failed)
    await session.commit()
    [stats], more = await notice_stats.recent(session)
    assert not more
    assert stats.counts == notice_stats.Counts(total=3, sent=1, failed=0, acknowledged=1)
    found = await notice_stats.detail(session, notice_id=notice_id)
    assert [(unit, [p.code for p in people]) for unit, people in found.unread] == [
        ("城关镇", ["P0105"]),
        ("区财政局", ["P0401"]),
    ]

    async def remind(at: int) -> notice_stats.Reminded:
        result = await notice_stats.remind_unread(
            session,
            notice_id=notice_id,
            now=NOW + timedelta(hours=at),
            zone=ZONE,
            render=lambda n: f"提醒：{n.text}",
            ack_markup=_ack,
        )
        await session.commit()
        return result

    assert await remind(0) == notice_stats.Reminded(queued=2, earlier_today=0)
    assert await remind(5) == notice_stats.Reminded(queued=0, earlier_today=2)
    assert await remind(24) == notice_stats.Reminded(queued=2, earlier_today=0)


async def _interview(sessions: Sessions, case: interviews.Case, actor_id: int) -> int:
    async with sessions() as session:
        outcome = await interviews.remind(
            session,
            chosen=[case],
            actor_id=actor_id,
            now=NOW,
            zone=ZONE,
            render=lambda c, day: f"约谈提醒 {c.name} {day:%m-%d}",
            ack_markup=_ack,
        )
        await session.commit()
        return len(outcome.sent)


async def test_two_interview_presses_at_once_send_one_formal_notice(
    sessions: Sessions, session: AsyncSession
) -> None:
    admin, people = await _district(session)
    assert admin.id is not None and people[0].id is not None
    item = OutstandingItem(
        due_item_id=1,
        item_code="C02",
        content="年初制定本单位党风廉政建设工作计划",
        duty_type=DutyType.MAIN,
        period=stored_period("2026", date(2026, 1, 1), date(2026, 12, 31)),
        due=date(2026, 3, 31),
        nominal=date(2026, 3, 31),
        unit_id=people[0].unit_id,
        unit_team=False,
        holder_name=people[0].name,
        days_overdue=237,
    )
    case = interviews.Case(people[0].id, people[0].name, "城关镇", 9101, [item])
    sent = await asyncio.gather(*(_interview(sessions, case, admin.id) for _ in range(3)))
    assert sorted(sent) == [0, 0, 1]
    async with sessions() as check:
        formal = (await check.exec(select(Notice).where(col(Notice.kind) == "formal"))).all()
        audits = (
            await check.exec(select(AuditEntry).where(col(AuditEntry.action) == "interview.remind"))
        ).all()
        [row] = (await check.exec(select(Outbox).where(col(Outbox.kind) == "notice"))).all()
    assert len(formal) == 1 and len(audits) == 1
    assert row.text == "约谈提醒 陈立新 11-23" and row.reply_markup and "ack:" in row.reply_markup
    unbound = interviews.Case(people[2].id or 0, people[2].name, "城关镇", None, [item])
    assert await _interview(sessions, unbound, admin.id) == 0
