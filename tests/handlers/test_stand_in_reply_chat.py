"""A reply to a reminder sent to the one standing in for an absent colleague records the absent
holder's item, by the one standing in, and says so (issue M §3)."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.services.directory.identity import viewer_for
from bot.services.records.choices import choices_for
from storage.models import DueItem, Holding, Item, Leave, Person, Record, ReplyKind
from tests.handlers.conftest import NOW, ZONE, District


async def _person(d: District, code: str) -> int:
    async with d.app.sessions() as session:
        found = (await session.exec(select(Person.id).where(col(Person.code) == code))).one()
    assert found is not None
    return found


async def _due(d: District, holder: str, code: str) -> int:
    async with d.app.sessions() as session:
        viewer = await viewer_for(session, telegram_id=d.tg(holder))
        assert viewer is not None
        choices = await choices_for(session, viewer=viewer, now=NOW, zone=ZONE)
    [found] = [c.due_item_id for c in choices if c.code == code]
    return found


async def _away(d: District, code: str, acting: str) -> None:
    async with d.app.sessions() as session:
        session.add(
            Leave(
                person_id=await _person(d, code),
                starts_on=date(2026, 11, 20),
                ends_on=date(2026, 12, 31),
                acting_person_id=await _person(d, acting),
                created_at=NOW,
            )
        )
        await session.commit()


async def test_a_reply_to_a_stand_in_reminder_records_the_absent_holders_item(
    district: District,
) -> None:
    d = district
    c04 = await _due(d, "P0101", "C04")
    await _away(d, "P0101", "P0102")
    message_id = await d.invite(
        d.tg("P0102"),
        "⏰ 履责提醒：【C04】带头讲廉政党课 · 代陈立新办理（其休假中）",
        kind=ReplyKind.REMINDER,
        person_id=await _person(d, "P0102"),
        due_item_ids=[c04],
    )
    sent = await d.chat.send_text(
        d.tg("P0102"), "昨天陈书记给全镇干部讲了廉政党课", reply_to=message_id
    )
    reply = "\n".join(s.plain for s in sent)
    async with d.app.sessions() as session:
        rows = (
            await session.exec(
                select(Record, Item.code, Holding.person_id)
                .join(DueItem, col(DueItem.id) == col(Record.due_item_id))
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
            )
        ).all()
    assert "已记入履责记实：【C04】" in reply and "代陈立新记入" in reply, reply
    [(record, code, holder)] = rows  # on 陈立新's C04, by 李红霞
    assert (code, holder) == ("C04", await _person(d, "P0101"))
    assert record.author_id == await _person(d, "P0102")


async def test_after_the_leave_the_stand_in_cannot_record_the_holders_item(
    district: District,
) -> None:
    d = district
    c04 = await _due(d, "P0101", "C04")
    message_id = await d.invite(
        d.tg("P0102"),
        "⏰ 履责提醒：【C04】带头讲廉政党课",
        kind=ReplyKind.REMINDER,
        person_id=await _person(d, "P0102"),
        due_item_ids=[c04],
    )
    sent = await d.chat.send_text(
        d.tg("P0102"), "昨天陈书记给全镇干部讲了廉政党课", reply_to=message_id
    )
    async with d.app.sessions() as session:
        assert (await session.exec(select(Record))).all() == []
    assert "代陈立新" not in "\n".join(s.plain for s in sent)
