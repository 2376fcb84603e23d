"""季度自查 service: versions and the latest that counts, one submit under a race, which quarters."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.directory.identity import Viewer, load_viewer
from bot.services.errors import DraftStale, Stale
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.services.ledger.closing import close_due_item
from bot.services.ledger.review_periods import offered_periods, periods_to_offer
from bot.services.records import selfcheck
from bot.services.records.selfcheck import Sheet, latest_selfcheck
from storage.models import Frequency, Person, Record, SelfCheck, Unit
from tests.services.helpers import DISTRICT, NOW, ZONE

TODAY = date(2026, 11, 23)


async def district(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await import_directory(session, tables=read_directory(DISTRICT), now=NOW, zone=ZONE)


async def viewer(session: AsyncSession, code: str) -> Viewer:
    person, unit = (
        await session.exec(
            select(Person, Unit)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(col(Person.code) == code)
        )
    ).one()
    return await load_viewer(session, person, unit)


async def filled(session: AsyncSession, who: Viewer, status: str, now: datetime = NOW) -> Sheet:
    """A new (or the open) self-check of 2026-Q4 with every item answered `status`."""
    sheet = await selfcheck.begin(session, viewer=who, period_key="2026-Q4", now=now, today=TODAY)
    while sheet.current is not None:
        sheet = await selfcheck.answer(
            session,
            viewer=who,
            selfcheck_id=sheet.id,
            index=sheet.position,
            due_item_id=sheet.items[sheet.position].due_item_id,
            status=status,
            now=now,
        )
    return sheet


async def test_the_latest_submitted_version_counts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    async with sessions() as session:
        who = await viewer(session, "P0103")
        assert (
            await latest_selfcheck(session, person_id=who.person_id, period_key="2026-Q4") is None
        )
        first = await filled(session, who, "progress")
        await selfcheck.submit(session, viewer=who, selfcheck_id=first.id, today=TODAY, now=NOW)
        second = await filled(session, who, "done")
        assert second.version == 2
        latest = await latest_selfcheck(session, person_id=who.person_id, period_key="2026-Q4")
        assert latest is not None and latest.version == 1  # a draft does not count
        assert {a.status for a in latest.answers.values()} == {"progress"}
        await selfcheck.submit(session, viewer=who, selfcheck_id=second.id, today=TODAY, now=NOW)
        third = await selfcheck.begin(
            session, viewer=who, period_key="2026-Q4", now=NOW, today=TODAY
        )
        await selfcheck.cancel(session, viewer=who, selfcheck_id=third.id, now=NOW)
        latest = await latest_selfcheck(session, person_id=who.person_id, period_key="2026-Q4")
        assert latest is not None and latest.version == 2
        assert {a.status for a in latest.answers.values()} == {"done"}
        assert (
            await latest_selfcheck(session, person_id=who.person_id, period_key="2026-Q3") is None
        )
        await session.commit()
        origins = (await session.exec(select(Record.origin, Record.text))).all()
        assert sorted(origins) == [
            (f"selfcheck:{first.id}", "提交季度自查（第1版）"),
            (f"selfcheck:{second.id}", "提交季度自查（第2版）"),
        ]


async def test_two_submits_at_once_hand_in_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    async with sessions() as session:
        who = await viewer(session, "P0101")
        sheet = await filled(session, who, "none")
        await session.commit()

    async def submit() -> bool:
        async with sessions() as session:
            done = await selfcheck.submit(
                session, viewer=who, selfcheck_id=sheet.id, today=TODAY, now=NOW
            )
            await session.commit()
            return done.fresh

    assert sorted(await asyncio.gather(submit(), submit())) == [False, True]
    async with sessions() as session:
        assert len((await session.exec(select(Record))).all()) == 1
        check = (await session.exec(select(SelfCheck))).one()
        assert check.state.value == "submitted" and check.submitted_at == NOW


async def test_steps_refuse_what_is_not_the_current_step(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    async with sessions() as session:
        who = await viewer(session, "P0102")
        other = await viewer(session, "P0101")
        sheet = await selfcheck.begin(
            session, viewer=who, period_key="2026-Q4", now=NOW, today=TODAY
        )
        due = [item.due_item_id for item in sheet.items]
        cases = [
            (dict(viewer=who, index=1, due_item_id=due[1], status="done"), Stale.MOVED),
            (dict(viewer=who, index=0, due_item_id=due[1], status="done"), Stale.SHIFTED),
            (dict(viewer=who, index=0, due_item_id=due[0], status="maybe"), Stale.GONE),
            (dict(viewer=other, index=0, due_item_id=due[0], status="done"), Stale.GONE),
        ]
        for kwargs, why in cases:
            with pytest.raises(DraftStale) as refused:
                await selfcheck.answer(session, selfcheck_id=sheet.id, now=NOW, **kwargs)  # type: ignore[arg-type]
            assert refused.value.why is why
        with pytest.raises(DraftStale) as early:
            await selfcheck.submit(session, viewer=who, selfcheck_id=sheet.id, today=TODAY, now=NOW)
        assert early.value.why is Stale.UNFINISHED
        with pytest.raises(DraftStale):
            await selfcheck.go_back(
                session, viewer=who, selfcheck_id=sheet.id, index=0, due_item_id=due[0], now=NOW
            )
        again = await selfcheck.load_sheet(session, viewer=who, selfcheck_id=sheet.id)
        assert again.position == 0 and not again.answers


@pytest.mark.parametrize(
    ("today", "offered"),
    [
        (date(2026, 11, 23), ["2026-Q4"]),
        (date(2027, 1, 1), ["2026-Q4", "2027-Q1"]),
        (date(2027, 1, 15), ["2026-Q4", "2027-Q1"]),
        (date(2027, 1, 16), ["2027-Q1"]),
        (date(2026, 7, 3), ["2026-Q2", "2026-Q3"]),
    ],
)
def test_which_quarters_are_offered(today: date, offered: list[str]) -> None:
    assert [p.key for p in periods_to_offer(Frequency.QUARTERLY, today)] == offered


def test_which_half_years_are_offered() -> None:
    assert [p.key for p in periods_to_offer(Frequency.HALF_YEARLY, date(2027, 1, 2))] == [
        "2026-H2",
        "2027-H1",
    ]
    assert [p.key for p in periods_to_offer(Frequency.HALF_YEARLY, date(2026, 11, 23))] == [
        "2026-H2"
    ]


async def test_an_owed_quarter_or_half_year_is_offered_first_until_handed_in_or_closed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    late = date(2027, 1, 18)  # 2026-Q4's 季度自查 and 2026-H2's 半年报告 were due on 1月15日
    async with sessions() as session:
        who, admin = await viewer(session, "P0103"), await viewer(session, "P0001")

        async def offered(system: str) -> list[str]:
            found = await offered_periods(
                session, person_id=who.person_id, system=system, today=late
            )
            return [p.key for p in found]

        assert await offered("selfcheck") == ["2026-Q4", "2027-Q1"]
        assert await offered("report") == ["2026-H2", "2027-H1"]
        sheet = await filled(session, who, "done")
        await selfcheck.submit(session, viewer=who, selfcheck_id=sheet.id, today=late, now=NOW)
        assert await offered("selfcheck") == ["2027-Q1"]  # handed in: no longer owed
        await close_due_item(
            session,
            holder_code="P0103",
            item_code="BG",
            period_key="2026-H2",
            reason="调离",
            actor_person_id=admin.person_id,
            now=NOW,
            zone=ZONE,
        )
        assert await offered("report") == ["2027-H1"]  # closed: not owed either
        # a quarter whose 季度自查 the holder holds may still be opened (a second version)
        again = await selfcheck.begin(
            session, viewer=who, period_key="2026-Q4", now=NOW, today=late
        )
        assert (again.period.key, again.version) == ("2026-Q4", 2)
        with pytest.raises(DraftStale) as made_up:
            await selfcheck.begin(session, viewer=who, period_key="2025-Q1", now=NOW, today=late)
        assert made_up.value.why is Stale.GONE
