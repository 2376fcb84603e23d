"""Leave: who may set it for whom, every refusal, overlaps, cancelling, and the reminders' view of it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.services.directory.identity import Viewer, load_viewer
from bot.services.directory.leave import (
    LeaveSet,
    LeaveView,
    cancel_leave,
    list_leaves,
    set_leave,
)
from bot.services.directory.leave_dates import parse_leave_dates
from bot.services.directory.recipients import Reach, load_directory
from bot.services.errors import LeaveProblem, LeaveRefused
from handlers.errors import reply_for
from storage.models import AuditEntry, Leave, Role
from tests.factories import NOW, make_person, make_unit
from tests.services.helpers import ZONE

TODAY = date(2026, 11, 23)  # NOW in Asia/Shanghai
DEC1, DEC10 = date(2026, 12, 1), date(2026, 12, 10)
Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Town:
    """Two units, an admin, a 联络员 in each unit, officials (one inactive in each unit)."""

    units: dict[str, int]
    ids: dict[str, int]
    telegram: dict[str, int]
    viewers: dict[str, Viewer]

    def id(self, code: str) -> int:
        return self.ids[code]


async def _town(session: AsyncSession) -> Town:
    units = {
        "U00": await make_unit(session, "U00", "区纪委监委"),
        "U01": await make_unit(session, "U01", "城关镇"),
        "U02": await make_unit(session, "U02", "河西街道"),
    }
    cast = [
        ("P0001", "周建国", "U00", Role.ADMIN, True),
        ("P0101", "陈立新", "U01", Role.FIRST, True),
        ("P0102", "李红霞", "U01", Role.MEMBER, True),
        ("P0103", "赵德明", "U01", Role.DISCIPLINE, True),
        ("P0104", "孙志强", "U01", Role.MEMBER, False),
        ("P0105", "刘佳", "U01", Role.SECRETARY, True),
        ("P0201", "王海峰", "U02", Role.FIRST, True),
        ("P0202", "杨静", "U02", Role.MEMBER, False),
        ("P0204", "郭倩", "U02", Role.SECRETARY, True),
    ]
    town = Town({code: unit.id for code, unit in units.items() if unit.id}, {}, {}, {})
    for n, (code, name, unit, role, active) in enumerate(cast):
        person = await make_person(
            session,
            units[unit],
            code=code,
            name=name,
            roles=(role,),
            active=active,
            telegram_id=700_000 + n,
        )
        assert person.id is not None
        town.ids[code], town.telegram[code] = person.id, 700_000 + n
        town.viewers[code] = await load_viewer(session, person, units[unit])
    return town


async def _set(
    session: AsyncSession,
    town: Town,
    actor: str,
    person: str,
    starts: date = DEC1,
    ends: date = DEC10,
    acting: str | None = None,
    now: datetime = NOW,
) -> LeaveSet:
    return await set_leave(
        session,
        actor=town.viewers[actor],
        person_code=person,
        starts_on=starts,
        ends_on=ends,
        acting_code=acting,
        now=now,
        zone=ZONE,
    )


async def _refusal(
    session: AsyncSession, town: Town, actor: str, person: str, **kwargs: object
) -> LeaveRefused:
    with pytest.raises(LeaveRefused) as caught:
        await _set(session, town, actor, person, **kwargs)  # type: ignore[arg-type]
    await session.rollback()
    return caught.value


async def _count(session: AsyncSession, table: type[Leave] | type[AuditEntry]) -> int:
    return (await session.exec(select(func.count()).select_from(table))).one()


async def _audits(session: AsyncSession, action: str) -> list[dict[str, object]]:
    rows = await session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == action).order_by(col(AuditEntry.id))
    )
    return [json.loads(row.detail) for row in rows.all()]


async def test_an_admin_sets_anyones_leave_with_anyone_active_acting(
    session: AsyncSession,
) -> None:
    town = await _town(session)
    done = await _set(session, town, "P0001", "p0102", acting="P0201")
    assert done.leave.person_code == "P0102"
    assert done.leave.unit_name == "城关镇"
    assert (done.leave.acting_code, done.leave.acting_name) == ("P0201", "王海峰")
    assert done.acting_telegram_id == town.telegram["P0201"]
    leave = (await session.exec(select(Leave))).one()
    assert (leave.person_id, leave.acting_person_id) == (town.id("P0102"), town.id("P0201"))
    assert (leave.starts_on, leave.ends_on, leave.cancelled_at) == (DEC1, DEC10, None)
    assert leave.created_by == town.id("P0001")
    audit = (await session.exec(select(AuditEntry))).one()
    assert (audit.action, audit.actor_person_id) == ("leave_set", town.id("P0001"))
    assert json.loads(audit.detail) == {
        "leave_id": leave.id,
        "person": "P0102",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-10",
        "acting": "P0201",
    }
    alone = await _set(session, town, "P0001", "P0201", acting=None)
    assert alone.leave.acting_code is None
    assert alone.acting_telegram_id is None


async def test_a_secretary_sets_leave_in_their_own_unit(session: AsyncSession) -> None:
    town = await _town(session)
    done = await _set(session, town, "P0105", "P0102", acting="P0103")
    assert (done.leave.person_code, done.leave.acting_code) == ("P0102", "P0103")
    mine = await _set(session, town, "P0105", "P0105", acting="P0101")
    assert mine.leave.person_code == "P0105"
    assert [a["person"] for a in await _audits(session, "leave_set")] == ["P0102", "P0105"]


async def test_a_secretary_cannot_reach_another_unit_and_forged_codes_learn_nothing(
    session: AsyncSession,
) -> None:
    town = await _town(session)
    await _set(session, town, "P0001", "P0201", acting="P0204")  # U02 has a leave to find
    before = (await _count(session, Leave), await _count(session, AuditEntry))

    def shape(error: LeaveRefused, typed: str) -> str:
        return reply_for(error).replace(typed, "＊")

    other = await _refusal(session, town, "P0105", "P0201")
    unknown = await _refusal(session, town, "P0105", "P9999")
    inactive_elsewhere = await _refusal(session, town, "P0105", "P0202")
    for error in (other, unknown, inactive_elsewhere):
        assert error.problem is LeaveProblem.NOT_IN_UNIT
        assert error.unit == "城关镇"
    assert shape(other, "P0201") == shape(unknown, "P9999") == shape(inactive_elsewhere, "P0202")
    assert "王海峰" not in reply_for(other)
    assert "本单位（城关镇）没有在册人员“P0201”" in reply_for(other)

    acting_other = await _refusal(session, town, "P0105", "P0102", acting="P0201")
    acting_unknown = await _refusal(session, town, "P0105", "P0102", acting="P9999")
    assert acting_other.problem is acting_unknown.problem is LeaveProblem.ACTING_NOT_IN_UNIT
    assert shape(acting_other, "P0201") == shape(acting_unknown, "P9999")

    # the other unit's 联络员 neither sets nor cancels, nor learns that a leave exists
    for actor, person in (("P0204", "P0102"), ("P0105", "P0201")):
        with pytest.raises(LeaveRefused) as caught:
            await cancel_leave(
                session, actor=town.viewers[actor], person_code=person, now=NOW, zone=ZONE
            )
        await session.rollback()
        assert caught.value.problem is LeaveProblem.NOT_IN_UNIT
    assert (await _refusal(session, town, "P0204", "P0102")).problem is LeaveProblem.NOT_IN_UNIT
    assert (await _count(session, Leave), await _count(session, AuditEntry)) == before


async def test_every_refusal_says_why_and_writes_nothing(session: AsyncSession) -> None:
    town = await _town(session)
    yesterday = TODAY - timedelta(days=1)
    cases: list[tuple[str, str, dict[str, object], LeaveProblem, str]] = [
        ("P0001", "P9999", {}, LeaveProblem.UNKNOWN_PERSON, "未找到人员编码“P9999”"),
        ("P0001", "P0104", {}, LeaveProblem.INACTIVE, "孙志强（P0104）已停用"),
        ("P0001", "P0102", {"acting": "P9999"}, LeaveProblem.UNKNOWN_ACTING, "代办人编码“P9999”"),
        ("P0001", "P0102", {"acting": "P0202"}, LeaveProblem.ACTING_INACTIVE, "代办人杨静"),
        ("P0105", "P0102", {"acting": "P0104"}, LeaveProblem.ACTING_INACTIVE, "已停用"),
        ("P0105", "P0104", {}, LeaveProblem.INACTIVE, "已停用"),
        ("P0001", "P0102", {"acting": "p0102"}, LeaveProblem.SAME_PERSON, "不能是请假人本人"),
        (
            "P0001",
            "P0102",
            {"starts": DEC10, "ends": DEC1},
            LeaveProblem.BAD_ORDER,
            "结束日期 2026-12-01 早于开始日期 2026-12-10",
        ),
        (
            "P0001",
            "P0102",
            {"starts": DEC1, "ends": DEC1 + timedelta(days=366)},
            LeaveProblem.TOO_LONG,
            "共 367 天，超过 366 天",
        ),
        (
            "P0001",
            "P0102",
            {"starts": yesterday - timedelta(days=3), "ends": yesterday},
            LeaveProblem.ENDED,
            "结束日期 2026-11-22 已过去",
        ),
        ("P0101", "P0102", {}, LeaveProblem.NOT_ALLOWED, "只有管理员和联络员"),
    ]
    for actor, person, kwargs, problem, words in cases:
        error = await _refusal(session, town, actor, person, **kwargs)
        assert error.problem is problem, (actor, person, kwargs)
        reply = reply_for(error)
        assert words in reply, reply
        assert reply != texts.ERROR
    assert (await _count(session, Leave), await _count(session, AuditEntry)) == (0, 0)
    longest = await _set(session, town, "P0001", "P0102", ends=DEC1 + timedelta(days=365))
    assert longest.leave.ends_on == date(2027, 12, 1)
    started = await _set(session, town, "P0001", "P0103", starts=TODAY - timedelta(5), ends=TODAY)
    assert started.leave.ends_on == TODAY  # ends today: still running, so it may be registered


async def test_an_overlapping_leave_is_refused_and_names_the_one_registered(
    session: AsyncSession,
) -> None:
    town = await _town(session)
    await _set(session, town, "P0001", "P0102", acting="P0103")
    for starts, ends in ((date(2026, 12, 10), date(2026, 12, 15)), (TODAY, date(2027, 1, 5))):
        error = await _refusal(session, town, "P0105", "P0102", starts=starts, ends=ends)
        assert error.problem is LeaveProblem.OVERLAP
        assert (error.starts_on, error.ends_on) == (DEC1, DEC10)
        assert "李红霞（P0102）已登记 2026-12-01 至 2026-12-10 的请假" in reply_for(error)
    assert await _count(session, Leave) == 1
    after = await _set(
        session, town, "P0105", "P0102", starts=date(2026, 12, 11), ends=date(2026, 12, 15)
    )
    assert after.leave.starts_on == date(2026, 12, 11)
    await _set(session, town, "P0001", "P0103")  # same dates, another person: no clash
    await cancel_leave(
        session, actor=town.viewers["P0001"], person_code="P0102", now=NOW, zone=ZONE
    )
    again = await _set(session, town, "P0001", "P0102", starts=date(2026, 12, 5), ends=DEC10)
    assert again.leave.starts_on == date(2026, 12, 5)  # cancelled leaves no longer clash


async def _set_alone(sessions: Sessions, viewer: Viewer, starts: date, ends: date) -> LeaveSet:
    async with sessions() as session:
        return await set_leave(
            session,
            actor=viewer,
            person_code="P0102",
            starts_on=starts,
            ends_on=ends,
            acting_code="P0103",
            now=NOW,
            zone=ZONE,
        )


async def test_two_overlapping_leaves_sent_at_once_register_only_one(
    sessions: Sessions, session: AsyncSession
) -> None:
    town = await _town(session)
    admin, secretary = town.viewers["P0001"], town.viewers["P0105"]
    for round_ in range(3):
        starts = DEC1 + timedelta(days=20 * round_)
        outcomes = await asyncio.gather(
            _set_alone(sessions, admin, starts, starts + timedelta(days=9)),
            _set_alone(
                sessions, secretary, starts + timedelta(days=5), starts + timedelta(days=12)
            ),
            return_exceptions=True,
        )
        won = [o for o in outcomes if isinstance(o, LeaveSet)]
        lost = [o for o in outcomes if not isinstance(o, LeaveSet)]
        assert len(won) == 1, outcomes
        assert isinstance(lost[0], LeaveRefused), outcomes
        assert lost[0].problem is LeaveProblem.OVERLAP
    assert await _count(session, Leave) == 3
    assert len(await _audits(session, "leave_set")) == 3


async def test_cancel_ends_current_and_future_leaves_and_keeps_the_rows(
    session: AsyncSession,
) -> None:
    town = await _town(session)
    past = Leave(
        person_id=town.id("P0102"),
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 10),
        acting_person_id=town.id("P0103"),
        created_by=town.id("P0001"),
        created_at=NOW - timedelta(days=30),
    )
    session.add(past)
    await session.commit()
    await _set(
        session,
        town,
        "P0001",
        "P0102",
        starts=date(2026, 11, 20),
        ends=date(2026, 11, 25),
        acting="P0103",
    )
    await _set(session, town, "P0001", "P0102", acting="P0101")
    await _set(session, town, "P0001", "P0103", acting="P0102")
    done = await cancel_leave(
        session, actor=town.viewers["P0105"], person_code="p0102", now=NOW, zone=ZONE
    )
    assert (done.person_code, done.person_name) == ("P0102", "李红霞")
    assert [(v.starts_on, v.ends_on) for v in done.leaves] == [
        (date(2026, 11, 20), date(2026, 11, 25)),
        (DEC1, DEC10),
    ]
    told = {tg: v.acting_code for tg, v in done.notes}
    assert told == {
        town.telegram["P0103"]: "P0103",
        town.telegram["P0101"]: "P0101",
    }
    rows = (await session.exec(select(Leave).order_by(col(Leave.id)))).all()
    assert len(rows) == 4, "cancelling never deletes"
    assert [row.cancelled_at is not None for row in rows] == [False, True, True, False]
    assert rows[1].cancelled_at == NOW.astimezone(UTC)
    [audit] = await _audits(session, "leave_cancel")
    assert audit["person"] == "P0102"
    assert audit["leave_ids"] == [rows[1].id, rows[2].id]
    with pytest.raises(LeaveRefused) as caught:
        await cancel_leave(
            session, actor=town.viewers["P0001"], person_code="P0102", now=NOW, zone=ZONE
        )
    assert caught.value.problem is LeaveProblem.NO_LEAVE
    assert "李红霞（P0102）没有进行中或将来的请假登记" in reply_for(caught.value)
    assert len(await _audits(session, "leave_cancel")) == 1


async def test_the_list_shows_current_and_future_leaves_in_the_actors_scope(
    session: AsyncSession,
) -> None:
    town = await _town(session)
    await _set(session, town, "P0001", "P0201", starts=date(2026, 12, 20), ends=date(2026, 12, 31))
    await _set(session, town, "P0001", "P0102", acting="P0103")
    await _set(session, town, "P0001", "P0103", starts=TODAY, ends=date(2026, 11, 24))
    await _set(session, town, "P0001", "P0101", starts=date(2027, 1, 4), ends=date(2027, 1, 8))
    await cancel_leave(
        session, actor=town.viewers["P0001"], person_code="P0101", now=NOW, zone=ZONE
    )

    def codes(found: list[LeaveView]) -> list[str]:
        return [v.person_code for v in found]

    admin = await list_leaves(session, actor=town.viewers["P0001"], today=TODAY)
    assert codes(admin) == ["P0103", "P0102", "P0201"]  # by start; the cancelled one gone
    assert admin[1].acting_name == "赵德明"
    secretary = await list_leaves(session, actor=town.viewers["P0105"], today=TODAY)
    assert codes(secretary) == ["P0103", "P0102"]
    assert codes(await list_leaves(session, actor=town.viewers["P0204"], today=TODAY)) == ["P0201"]
    later = await list_leaves(session, actor=town.viewers["P0001"], today=date(2026, 11, 25))
    assert codes(later) == ["P0102", "P0201"]  # P0103's leave has ended


async def test_the_reminder_directory_honours_the_leave(session: AsyncSession) -> None:
    town = await _town(session)
    await _set(session, town, "P0105", "P0102", acting="P0103")
    u01, holder = town.units["U01"], town.id("P0102")
    during = await load_directory(session, today=date(2026, 12, 5))
    reach = during.holders(u01, holder)
    assert [p.person_id for p in reach.receivers] == [town.id("P0103")]
    assert reach.for_person == holder and reach.paused
    assert during.on_leave(holder)
    for day in (date(2026, 11, 30), date(2026, 12, 11)):  # the day before and after
        free = await load_directory(session, today=day)
        assert not free.on_leave(holder)
        assert free.holders(u01, holder) == Reach((free.people[holder],))
    assert (await load_directory(session, today=DEC10)).on_leave(holder)
    await cancel_leave(
        session,
        actor=town.viewers["P0001"],
        person_code="P0102",
        now=datetime(2026, 12, 5, 9, 0, tzinfo=ZONE),
        zone=ZONE,
    )
    cancelled = await load_directory(session, today=date(2026, 12, 5))
    assert not cancelled.on_leave(holder)
    assert cancelled.holders(u01, holder) == Reach((cancelled.people[holder],))


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        ("2026-12-01", "2026-12-10", TODAY, (DEC1, DEC10)),
        ("2026/12/1", "2026.12.10", TODAY, (DEC1, DEC10)),
        ("2026年12月1日", "１２－１０", TODAY, (DEC1, DEC10)),
        ("12-01", "12-10", TODAY, (DEC1, DEC10)),
        ("12月1日", "1-5", TODAY, (DEC1, date(2027, 1, 5))),  # 1-5 passed 322 days ago
        (
            "10-24",
            "11-30",
            TODAY,
            (date(2026, 10, 24), date(2026, 11, 30)),
        ),  # 30 days ago: this year
        ("10-23", "11-30", TODAY, (date(2027, 10, 23), date(2026, 11, 30))),  # 31: next year
        ("12-28", "01-05", date(2026, 12, 20), (date(2026, 12, 28), date(2027, 1, 5))),
        ("2-29", "3-1", date(2027, 12, 1), (date(2028, 2, 29), date(2028, 3, 1))),
    ],
)
def test_parse_leave_dates(start: str, end: str, today: date, expected: tuple[date, date]) -> None:
    assert parse_leave_dates(start, end, today=today) == expected


@pytest.mark.parametrize("typed", ["2026-13-01", "12-32", "2-30", "明天", "2026-12", "12", ""])
def test_dates_that_cannot_be_read_are_refused_with_the_usage(typed: str) -> None:
    with pytest.raises(LeaveRefused) as caught:
        parse_leave_dates("12-01", typed, today=TODAY)
    assert caught.value.problem is LeaveProblem.BAD_DATE
    assert caught.value.value == typed
    reply = texts.plain(reply_for(caught.value))
    assert f"看不懂日期“{typed}”" in reply
    assert "/leave P0102 2026-12-01 2026-12-10 P0103" in reply


async def test_a_chain_of_stand_ins_is_followed_and_a_cycle_refused(session: AsyncSession) -> None:
    town = await _town(session)
    await _set(session, town, "P0001", "P0102", acting="P0103")
    # 赵德明 away in the same days with 李红霞 acting: reminders would go round with nobody
    with pytest.raises(LeaveRefused) as refused:
        await _set(session, town, "P0001", "P0103", DEC1, DEC10, acting="P0102")
    assert refused.value.problem is LeaveProblem.CYCLE
    assert refused.value.value == "赵德明（P0103）→李红霞（P0102）→赵德明（P0103）"
    # a chain is fine: 陈立新's stand-in 李红霞 is away, so 赵德明 receives for both
    await _set(session, town, "P0001", "P0101", DEC1, DEC10, acting="P0102")
    directory = await load_directory(session, today=date(2026, 12, 5))
    reach = directory.person(town.id("P0101"))
    assert [p.person_id for p in reach.receivers] == [town.id("P0103")]
    assert reach.for_person == town.id("P0101")
    # after the first leave ends the chain is not there: a later leave of 赵德明 is fine
    await _set(session, town, "P0001", "P0103", date(2026, 12, 11), date(2026, 12, 20), "P0102")


async def test_the_cycle_check_goes_by_day(session: AsyncSession) -> None:
    """Leaves that never form a loop on one day are fine; a loop on some days is refused with
    its days and the whole chain named."""
    town = await _town(session)
    await _set(session, town, "P0001", "P0103", date(2026, 12, 7), date(2026, 12, 8), "P0102")
    await _set(session, town, "P0001", "P0102", date(2026, 12, 14), date(2026, 12, 18), "P0101")
    # 陈立新 → 赵德明 (away 7–8 → 李红霞, present) ; 李红霞 away 14–18 but not in the chain then
    await _set(session, town, "P0001", "P0101", date(2026, 12, 7), date(2026, 12, 18), "P0103")
    await _set(session, town, "P0001", "P0105", date(2026, 12, 21), date(2026, 12, 22), "P0102")
    await _set(session, town, "P0001", "P0102", date(2026, 12, 22), date(2026, 12, 23), "P0103")
    with pytest.raises(LeaveRefused) as refused:  # on 12-22: 赵德明 → 李红霞 → … no: see below
        await _set(session, town, "P0001", "P0103", date(2026, 12, 20), date(2026, 12, 28), "P0105")
    assert refused.value.problem is LeaveProblem.CYCLE
    # on 12-21 and 12-22 刘佳 is away with 李红霞 acting, and on 12-22 李红霞 with 赵德明:
    # 赵德明 → 刘佳 → 李红霞 → 赵德明 on 12-22 only
    assert (refused.value.starts_on, refused.value.ends_on) == (
        date(2026, 12, 22),
        date(2026, 12, 22),
    )
    assert refused.value.value == "赵德明（P0103）→刘佳（P0105）→李红霞（P0102）→赵德明（P0103）"
