"""A reply to a reminder costs the same statements however many items the reminder named (the
named items are read in one query, the calendar once per update)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import col, select

from bot.services.replies import ReplyKind
from storage.models import DueItem, Holding, Item, Person
from tests.handlers.conftest import District


async def _open_items(d: District, code: str) -> list[int]:
    """P0101's due items of non-system items (ids), oldest first."""
    async with d.app.sessions() as session:
        rows = await session.exec(
            select(DueItem.id)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .join(Person, col(Person.id) == col(Holding.person_id))
            .where(col(Person.code) == code, col(Item.system).is_(None))
            .order_by(col(DueItem.due_date), col(DueItem.id))
        )
        return [due_id for due_id in rows.all() if due_id is not None]


async def _statements(d: District, due_item_ids: list[int], *, about: str = "") -> tuple[int, str]:
    """Statements (those whose SQL has `about`) a reply to a reminder naming these items costs,
    and what the bot answered."""
    tg = d.tg("P0101")
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == "P0101"))).one()
    assert person.id is not None
    reminder = await d.invite(
        tg, "提醒", kind=ReplyKind.REMINDER, person_id=person.id, due_item_ids=due_item_ids
    )
    count = 0

    def counted(*args: Any) -> None:
        nonlocal count
        count += about in str(args[2])  # (conn, cursor, statement, …)

    engine = d.app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        sent = await d.chat.send_text(tg, "今天上午看了文件", reply_to=reminder)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count, "\n".join(s.plain for s in sent)


async def test_a_reply_naming_more_items_costs_no_more_statements(district: District) -> None:
    items = await _open_items(district, "P0101")
    assert len(items) >= 6
    await _statements(district, items[:3])  # the first reply also reads the item catalogue
    two, said_two = await _statements(district, items[:2])
    six, said_six = await _statements(district, items[:6])
    assert said_two.splitlines()[0] == said_six.splitlines()[0]  # the same path, both
    assert six == two, (two, six)


async def test_what_a_reply_means_is_read_once(district: District) -> None:
    """Every router taking replies asks what the replied-to message means (RepliesToBot): the
    answer is read from the database once per update."""
    items = await _open_items(district, "P0101")
    reads, said = await _statements(district, items[:2], about="FROM reply_meaning")
    assert said
    assert reads == 1
