"""The reminder run on a real database: exactly once, folded after downtime, quiet on holidays."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.localchat.demo import setup_demo
from bot.services.calendar.workdays import load_calendar
from bot.services.importing.overrides import import_overrides, read_overrides
from bot.services.ledger.due_items import roll_due_items
from bot.services.reminders.calendar_notice import tell_admins_estimated_years
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.run import RunReport, run_reminders
from bot.texts import reminders as words
from bot.texts.reminders_calendar import estimated_year
from storage.models import Item, Outbox, Person, ReminderStep
from tests.conftest import DISTRICT

ZONE = ZoneInfo("Asia/Shanghai")
RULES = LadderRules()
IMPORTED = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZONE)


async def _district(sessions: async_sessionmaker[AsyncSession]) -> None:
    await setup_demo(sessions, data=DISTRICT, now=IMPORTED, zone=ZONE)


async def _run(sessions: async_sessionmaker[AsyncSession], now: datetime) -> RunReport:
    async with sessions() as session:
        await roll_due_items(session, now=now, zone=ZONE)
    async with sessions() as session:
        calendar = await load_calendar(session)
        return await run_reminders(
            session, now=now, zone=ZONE, calendar=calendar, rules=RULES, render=words.render
        )


async def _outbox(sessions: async_sessionmaker[AsyncSession]) -> list[Outbox]:
    async with sessions() as session:
        return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


async def _tg(sessions: async_sessionmaker[AsyncSession], code: str) -> int:
    async with sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == code))).one()
    assert person.telegram_id is not None
    return person.telegram_id


async def test_a_second_run_for_the_same_instant_adds_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    first = await _run(sessions, at(date(2026, 11, 25)))
    assert first.messages > 0
    assert (await _run(sessions, at(date(2026, 11, 25)))).messages == 0
    assert (await _run(sessions, at(date(2026, 11, 25), 15))).messages == 0
    rows = await _outbox(sessions)
    assert len(rows) == first.messages
    assert len({row.dedupe_key for row in rows}) == len(rows)


async def test_two_runs_racing_write_each_step_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    async with sessions() as session:
        await roll_due_items(session, now=at(date(2026, 11, 25)), zone=ZONE)
    reports = await asyncio.gather(*(_run(sessions, at(date(2026, 11, 25))) for _ in range(3)))
    assert sum(1 for r in reports if r.messages) == 1
    async with sessions() as session:
        steps = (
            await session.exec(select(col(ReminderStep.due_item_id), col(ReminderStep.step)))
        ).all()
    assert len(steps) == len(set(steps))
    assert len(await _outbox(sessions)) == max(r.messages for r in reports)


async def test_one_message_per_person_with_codes_lights_and_a_reply_invitation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    await _run(sessions, at(date(2026, 11, 25)))
    mine = [r for r in await _outbox(sessions) if r.chat_id == await _tg(sessions, "P0101")]
    assert len(mine) == 1
    text = mine[0].text
    assert "【C04】" in text
    assert "🔴" in text
    assert "已逾期" in text
    assert "回复本消息" in text


async def test_escalations_reach_the_secretary_and_the_admins_after_the_grace(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Imported on Monday 11-23 with items long overdue: the holders hear of them first; the
    联络员 and admins only once ESCALATION_GRACE_DAYS (3) working days have passed."""
    await _district(sessions)
    await _run(sessions, at(date(2026, 11, 25)))
    rows = await _outbox(sessions)
    assert rows and not any("逾期事项汇总" in r.text or "约谈提醒名单" in r.text for r in rows)
    await _run(sessions, at(date(2026, 11, 26)))
    rows = await _outbox(sessions)
    secretary = [r for r in rows if r.chat_id == await _tg(sessions, "P0105")]
    assert any(
        r.kind == "digest" and "逾期事项汇总" in r.text and "陈立新" in r.text for r in secretary
    )
    admin = [r for r in rows if r.chat_id == await _tg(sessions, "P0001")]
    assert any(r.kind == "escalation" and "约谈提醒名单" in r.text for r in admin)


async def test_nothing_is_selected_on_a_holiday_a_weekend_or_in_quiet_hours(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    for moment in (at(date(2026, 11, 28)), at(date(2026, 11, 25), 22), at(date(2026, 11, 25), 7)):
        report = await _run(sessions, moment)
        assert not report.in_window
    assert await _outbox(sessions) == []


async def test_walking_to_the_new_year_each_step_once_and_the_self_check_prompt(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    day = date(2026, 11, 25)
    while day <= date(2027, 1, 20):
        for hour in (0, 9, 14):
            await _run(sessions, at(day, hour))
        day += timedelta(days=1)
    async with sessions() as session:
        steps = (
            await session.exec(
                select(
                    col(ReminderStep.due_item_id), col(ReminderStep.step), col(ReminderStep.sent_on)
                )
            )
        ).all()
        zc = (await session.exec(select(Item.id).where(Item.code == "ZC"))).one()
    assert len({(d, s) for d, s, _ in steps}) == len(steps)  # no step twice
    holidays = {date(2027, 1, 1), date(2026, 12, 26), date(2026, 12, 27)}
    assert not any(sent in holidays for _, _, sent in steps)
    prompts = [
        r for r in await _outbox(sessions) if "📝 【ZC】2026年第四季度的季度自查，请于" in r.text
    ]
    assert prompts, "the quarterly self-check prompt went out"
    assert {r.not_before.astimezone(ZONE).date() for r in prompts} == {date(2026, 12, 24)}
    assert zc is not None
    # every reminder naming the 季度自查 (the prompt, T-10 … O1) carries the button opening it
    naming = [r for r in await _outbox(sessions) if "履责提醒" in r.text and "【ZC】" in r.text]
    assert len({r.not_before.astimezone(ZONE).date() for r in naming}) > 3
    opens = '"callback_data": "review:selfcheck:2026-Q4"'
    assert all(opens in (r.reply_markup or "") for r in naming)
    # a message that only prompts (the 半年报告 on its own) invites the button, not a reply
    alone = [r for r in await _outbox(sessions) if r.text.count("【") == 1 and r.reply_markup]
    assert alone and all("回复本消息" not in r.text and "按钮" in r.text for r in alone)


async def test_an_unbound_holder_is_named_to_the_secretary_once_and_not_retried(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    async with sessions() as session:
        await session.exec(
            update(Person).where(col(Person.code) == "P0101").values(telegram_id=None)
        )
        await session.commit()
    await _run(sessions, at(date(2026, 11, 25)))
    secretary = await _tg(sessions, "P0105")
    digests = [r for r in await _outbox(sessions) if r.chat_id == secretary]
    assert any(
        "无法送达（未绑定账号、已屏蔽机器人或 Telegram 拒收）：陈立新" in r.text for r in digests
    )
    await _run(sessions, at(date(2026, 11, 26)))
    async with sessions() as session:
        count = (
            await session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(col(Outbox.text).contains("无法送达"))
            )
        ).one()
    assert count == 1  # reported once, not every day


async def test_admins_are_told_once_that_next_years_working_days_are_estimated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    for hour in (9, 10):
        async with sessions() as session:
            calendar = await load_calendar(session)
            await tell_admins_estimated_years(
                session,
                now=at(date(2026, 11, 25), hour),
                zone=ZONE,
                calendar=calendar,
                rules=RULES,
                words=estimated_year,
            )
    notices = [r for r in await _outbox(sessions) if r.dedupe_key.startswith("calendar-estimated")]
    assert {r.chat_id for r in notices} == {
        await _tg(sessions, "P0001"),
        await _tg(sessions, "P0002"),
    }
    assert len(notices) == 2  # once per admin, however many runs
    assert all("2027" in r.text and "calendar import" in r.text for r in notices)


async def test_digest_and_escalation_headers_say_the_configured_days(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """ESCALATE_SECRETARY_AFTER / ESCALATE_ADMIN_AFTER, not a fixed 3 and 10, head the lists."""
    await _district(sessions)
    rules = LadderRules(escalate_secretary=5, escalate_admin=12)
    now = at(date(2026, 11, 26))  # past the grace after the import
    async with sessions() as session:
        await roll_due_items(session, now=now, zone=ZONE)
    async with sessions() as session:
        calendar = await load_calendar(session)
        await run_reminders(
            session, now=now, zone=ZONE, calendar=calendar, rules=rules, render=words.render
        )
    rows = await _outbox(sessions)
    digests = [r.text for r in rows if r.kind == "digest" and "逾期事项汇总" in r.text]
    escalations = [r.text for r in rows if r.kind == "escalation"]
    assert digests and all("逾期 5 个工作日以上" in t for t in digests if "请督促办理" in t)
    assert escalations and all("逾期 12 个工作日以上" in t for t in escalations)
    assert not any("3 个工作日" in t or "10 个工作日" in t for t in digests + escalations)
    assert not any("：。" in t for t in digests)  # an unreachable line always names someone


async def test_a_local_closure_for_2027_does_not_silence_the_estimated_notice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _district(sessions)
    closure = read_overrides("日期,类型,说明\n2027-01-12,休息,区机关集中学习\n".encode())
    async with sessions() as session:
        await import_overrides(session, rows=closure, source="closure.csv", now=IMPORTED)
    async with sessions() as session:
        calendar = await load_calendar(session)
        added = await tell_admins_estimated_years(
            session,
            now=at(date(2026, 11, 25)),
            zone=ZONE,
            calendar=calendar,
            rules=RULES,
            words=estimated_year,
        )
    assert added == 2  # both admins: 2027's 调休 are still unknown (was 0: "imported")
    notices = [r for r in await _outbox(sessions) if r.dedupe_key.startswith("calendar-estimated")]
    assert all("calendar import 文件 --year 2027" in r.text for r in notices)
