"""Who receives a person's reminders today: one resolver for leave, chains, 单位班子 items and
undeliverable steps (issue M §3, §4)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.workdays import load_calendar
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.run import run_reminders
from bot.texts import reminders as words
from storage.models import (
    DueItem,
    Holding,
    Item,
    Leave,
    Outbox,
    OutboxState,
    Person,
    ReminderStep,
)
from tests.services.reminders.test_run import ZONE, _district, _outbox, _run, _tg, at

Sessions = async_sessionmaker[AsyncSession]
WEEKDAY = date(2026, 11, 26)  # past the grace after the 11-23 import: escalations go out


async def _id(sessions: Sessions, code: str) -> int:
    async with sessions() as session:
        found = (await session.exec(select(Person.id).where(col(Person.code) == code))).one()
    assert found is not None
    return found


async def _away(
    sessions: Sessions, code: str, acting: str | None, starts: date, ends: date
) -> None:
    person = await _id(sessions, code)
    stand_in = await _id(sessions, acting) if acting else None
    async with sessions() as session:
        session.add(
            Leave(
                person_id=person,
                starts_on=starts,
                ends_on=ends,
                acting_person_id=stand_in,
                created_at=datetime(2026, 11, 23, 10, 0, tzinfo=ZONE),
            )
        )
        await session.commit()


async def _texts(sessions: Sessions, code: str) -> list[str]:
    chat = await _tg(sessions, code)
    return [r.text for r in await _outbox(sessions) if r.chat_id == chat]


async def _steps_of(sessions: Sessions, *, unit: str, holder: str | None) -> set[str]:
    """The steps taken for a unit's 单位班子 items (holder None) or a person's items."""
    async with sessions() as session:
        statement = (
            select(ReminderStep.step)
            .join(DueItem, col(DueItem.id) == col(ReminderStep.due_item_id))
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
        )
        if holder is None:
            unit_id = (
                await session.exec(
                    select(Person.unit_id).where(col(Person.code) == f"P{unit[1:]}01")
                )
            ).one()
            statement = statement.where(
                col(Holding.person_id).is_(None), col(Holding.unit_id) == unit_id
            )
        else:
            statement = statement.where(col(Holding.person_id) == await _id(sessions, holder))
        return set((await session.exec(statement)).all())


async def test_a_unit_team_item_goes_to_the_absent_first_persons_stand_in_and_does_not_escalate(
    sessions: Sessions,
) -> None:
    await _district(sessions)
    await _away(sessions, "P0101", "P0102", date(2026, 11, 20), date(2026, 12, 31))
    await _run(sessions, at(WEEKDAY))
    assert await _texts(sessions, "P0101") == []
    [acting] = await _texts(sessions, "P0102")
    assert "【D01】" in acting and "代陈立新办理" in acting
    for steps in (
        await _steps_of(sessions, unit="U01", holder=None),
        await _steps_of(sessions, unit="U01", holder="P0101"),
    ):
        assert steps and not any(step[0] in "SA" for step in steps)  # paused while away
    # another unit's 第一责任人, present, is escalated as usual
    assert any(step[0] in "SA" for step in await _steps_of(sessions, unit="U02", holder="P0201"))


async def test_acting_is_followed_along_a_chain(sessions: Sessions) -> None:
    await _district(sessions)
    await _away(sessions, "P0101", "P0103", date(2026, 11, 20), date(2026, 12, 31))
    await _away(sessions, "P0103", "P0104", date(2026, 11, 20), date(2026, 12, 31))
    await _run(sessions, at(WEEKDAY))
    assert await _texts(sessions, "P0101") == [] and await _texts(sessions, "P0103") == []
    [text] = await _texts(sessions, "P0104")
    assert "代陈立新办理" in text and "代赵德明办理" in text


async def test_a_cycle_of_stand_ins_reaches_nobody_and_sends_nothing_twice(
    sessions: Sessions,
) -> None:
    await _district(sessions)
    await _away(sessions, "P0101", "P0104", date(2026, 11, 20), date(2026, 12, 31))
    await _away(sessions, "P0104", "P0101", date(2026, 11, 20), date(2026, 12, 31))
    await _run(sessions, at(WEEKDAY))
    assert await _texts(sessions, "P0101") == [] and await _texts(sessions, "P0104") == []


async def test_the_digest_of_an_absent_secretary_goes_to_her_stand_in(sessions: Sessions) -> None:
    await _district(sessions)
    await _away(sessions, "P0105", "P0104", date(2026, 11, 20), date(2026, 12, 31))
    await _run(sessions, at(WEEKDAY))
    assert not any("逾期事项汇总" in t for t in await _texts(sessions, "P0105"))
    [text] = await _texts(sessions, "P0104")
    assert "逾期事项汇总</b> · 城关镇" in text


async def test_one_message_per_person_per_run(sessions: Sessions) -> None:
    """刘佳 stands in for 陈立新 and is the unit's 联络员: his reminders and her digest come as
    one message, reminders first, and a reply to it is about the reminders' items."""
    await _district(sessions)
    await _away(sessions, "P0101", "P0105", date(2026, 11, 20), date(2026, 12, 31))
    await _run(sessions, at(WEEKDAY))
    rows = await _outbox(sessions)
    assert rows and max(Counter(r.chat_id for r in rows).values()) == 1
    [text] = await _texts(sessions, "P0105")
    assert text.index("履责提醒") < text.index("逾期事项汇总") and "代陈立新办理" in text


async def test_personal_prompts_wait_for_the_holders_return(sessions: Sessions) -> None:
    """On leave over the 半年报告 and 季度自查 prompt days: the stand-in gets neither (she gets
    her own, once each, with her own buttons); on his return 陈立新 gets his with a button."""
    await _district(sessions)
    await _away(sessions, "P0101", "P0102", date(2026, 12, 10), date(2026, 12, 25))
    day = date(2026, 12, 10)
    while day <= date(2026, 12, 29):
        await _run(sessions, at(day))
        day += timedelta(days=1)
    acting = "\n".join(await _texts(sessions, "P0102"))
    assert acting.count("📝 【ZC】") == 1 and acting.count("📝 【BG】") == 1
    assert "【ZC】" not in "\n".join(line for line in acting.splitlines() if "代陈立新" in line)
    returned = [t for t in await _texts(sessions, "P0101")]
    assert returned, "nothing reached 陈立新 after his return"
    assert any("【ZC】" in t for t in returned) and any("【BG】" in t for t in returned)
    async with sessions() as session:
        rows = (
            await session.exec(
                select(Outbox).where(col(Outbox.chat_id) == await _tg(sessions, "P0101"))
            )
        ).all()
    assert any(r.reply_markup and "review:selfcheck" in r.reply_markup for r in rows)


async def test_an_unreachable_stand_in_in_another_unit_is_named_to_the_items_unit(
    sessions: Sessions,
) -> None:
    await _district(sessions)
    await _away(sessions, "P0101", "P0202", date(2026, 11, 20), date(2026, 12, 31))
    async with sessions() as session:
        await session.exec(
            update(Person)
            .where(col(Person.code) == "P0202")
            .values(unreachable_at=datetime(2026, 11, 24, 9, 0, tzinfo=ZONE))
        )
        await session.commit()
    await _run(sessions, at(WEEKDAY))
    own_unit = "\n".join(await _texts(sessions, "P0105"))
    assert "杨静（代陈立新）" in own_unit
    other = "\n".join(await _texts(sessions, "P0204"))
    assert "陈立新" not in other
    assert "：。" not in own_unit + other


async def test_an_unbound_first_person_with_only_a_team_item_is_named(sessions: Sessions) -> None:
    await _district(sessions)
    async with sessions() as session:
        await session.exec(
            update(Person).where(col(Person.code) == "P0201").values(telegram_id=None)
        )
        await session.commit()
    await _run(sessions, at(WEEKDAY))
    text = "\n".join(await _texts(sessions, "P0204"))
    assert "无法送达" in text and "王海峰" in text and "：。" not in text


async def test_a_reminder_refused_for_good_is_told_in_the_next_run_once(
    sessions: Sessions,
) -> None:
    """Telegram answered 400 for 陈立新's reminder: the next run tells the 联络员 (once); when
    that message is refused too, the run after tells the admins."""
    await _district(sessions)
    await _run(sessions, at(date(2026, 11, 25)))
    await _refuse(sessions, "P0101")
    await _run(sessions, at(WEEKDAY))
    told = [t for t in await _texts(sessions, "P0105") if "无法送达" in t]
    assert len(told) == 1 and "陈立新" in told[0]
    await _refuse(sessions, "P0105")
    await _run(sessions, at(date(2026, 11, 27)))
    admins = "\n".join(await _texts(sessions, "P0001"))
    assert "无法送达" in admins and "刘佳（城关镇）" in admins
    await _run(sessions, at(date(2026, 11, 30)))
    assert len([t for t in await _texts(sessions, "P0105") if "无法送达" in t]) == 1
    assert "\n".join(await _texts(sessions, "P0001")).count("刘佳（城关镇）") == 1


async def _refuse(sessions: Sessions, code: str) -> None:
    """Every message queued for `code` so far was refused by Telegram for good (a 400)."""
    chat = await _tg(sessions, code)
    async with sessions() as session:
        await session.exec(
            update(Outbox)
            .where(col(Outbox.chat_id) == chat)
            .values(
                state=OutboxState.FAILED,
                last_error="Bad Request: chat not found",
                failed_at=datetime(2026, 11, 25, 9, 5, tzinfo=ZONE),
            )
        )
        await session.commit()


async def test_no_item_of_a_done_step_is_told(sessions: Sessions) -> None:
    """A refused reminder whose items were all recorded since is not told: the step is moot."""
    await _district(sessions)
    await _run(sessions, at(date(2026, 11, 25)))
    holder = await _tg(sessions, "P0104")
    async with sessions() as session:
        await session.exec(
            update(Outbox)
            .where(col(Outbox.chat_id) == holder)
            .values(state=OutboxState.FAILED, failed_at=datetime(2026, 11, 25, 9, 5, tzinfo=ZONE))
        )
        held = select(DueItem.id).join(Holding, col(Holding.id) == col(DueItem.holding_id))
        ids = (
            await session.exec(held.where(col(Holding.person_id) == await _id(sessions, "P0104")))
        ).all()
        await session.exec(
            update(DueItem)
            .where(col(DueItem.id).in_(ids))
            .values(closed_at=datetime(2026, 11, 25, 12, 0, tzinfo=ZONE), closed_reason="test")
        )
        await session.commit()
    await _run(sessions, at(WEEKDAY))
    assert not any("孙志强" in t for t in await _texts(sessions, "P0105") if "无法送达" in t)
    assert Item is not None


async def test_a_secretary_away_without_a_stand_in_gets_her_digest_when_back(
    sessions: Sessions,
) -> None:
    await _district(sessions)
    await _away(sessions, "P0105", None, date(2026, 11, 20), date(2026, 11, 27))
    await _run(sessions, at(WEEKDAY))
    assert await _texts(sessions, "P0105") == []
    assert "S" not in await _steps_of(sessions, unit="U01", holder="P0103")  # the digest waits
    await _run(sessions, at(date(2026, 11, 30)))  # back on Monday
    assert any("逾期事项汇总" in t for t in await _texts(sessions, "P0105"))


async def test_an_unreachable_admin_is_told_to_the_other_admins_not_every_secretary(
    sessions: Sessions,
) -> None:
    await _district(sessions)
    async with sessions() as session:
        await session.exec(
            update(Person).where(col(Person.code) == "P0002").values(telegram_id=None)
        )
        await session.commit()
    await _run(sessions, at(WEEKDAY))
    assert not any("吴晓梅" in t for t in await _texts(sessions, "P0105"))
    assert not any("吴晓梅" in t for t in await _texts(sessions, "P0204"))
    assert any("无法送达" in t and "吴晓梅" in t for t in await _texts(sessions, "P0001"))


async def test_escalation_waits_its_grace_after_the_holder_is_back(sessions: Sessions) -> None:
    """Away (no stand-in) from before the import to Friday 12-04: Monday he hears of his items;
    the 联络员 and the admins only three working days later."""
    await _district(sessions)
    await _away(sessions, "P0101", None, date(2026, 11, 20), date(2026, 12, 4))
    for day in (date(2026, 11, 26), date(2026, 12, 7), date(2026, 12, 9)):
        await _run(sessions, at(day))
    assert await _texts(sessions, "P0101")  # his reminder on 12-07
    assert not any(s[0] in "SA" for s in await _steps_of(sessions, unit="U01", holder="P0101"))
    await _run(sessions, at(date(2026, 12, 10)))
    assert {"S", "A"} <= await _steps_of(sessions, unit="U01", holder="P0101")


async def test_changed_escalation_days_do_not_escalate_again(sessions: Sessions) -> None:
    await _district(sessions)
    await _run(sessions, at(WEEKDAY))
    before = len(await _outbox(sessions))
    async with sessions() as session:
        calendar = await load_calendar(session)
        await run_reminders(
            session,
            now=at(date(2026, 11, 27)),
            zone=ZONE,
            calendar=calendar,
            rules=LadderRules(escalate_secretary=4, escalate_admin=12),
            render=words.render,
        )
    later = (await _outbox(sessions))[before:]
    assert not any("逾期事项汇总" in r.text or "约谈提醒名单" in r.text for r in later)
