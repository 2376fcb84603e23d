"""Per-update overhead: the claim check and the sender's identity in one query, never cached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, delete, select

from bot import texts
from bot.services.directory.identity import viewer_for
from storage.db import create_engine
from storage.models import Person, PersonRole, Role
from tests.handlers.conftest import NOW, District


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block, as sent."""
    seen: list[str] = []

    def keep(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)


def reads(seen: list[str]) -> list[str]:
    return [s for s in seen if s.upper().startswith("SELECT")]


async def test_a_bound_persons_update_reads_claim_and_identity_in_one_query(
    district: District,
) -> None:
    with statements(district.app.engine) as seen:
        sent = await district.chat.send_sticker(district.tg("P0101"))
    assert [s.plain for s in sent] == [texts.plain(texts.NOT_TEXT)]
    [query] = reads(seen)  # the sticker's reply reads nothing else
    assert "processedupdate" in query and "person" in query and "personrole" in query
    assert [s.split()[0].upper() for s in seen] == ["SELECT", "INSERT"]  # and the claim
    assert await district.chat.redeliver() == []


async def test_a_strangers_update_costs_a_second_read_and_is_claimed_once(
    district: District,
) -> None:
    with statements(district.app.engine) as seen:
        sent = await district.chat.send_sticker(777)
    assert [s.plain for s in sent] == [texts.plain(texts.UNBOUND)]
    first, second = reads(seen)[:2]  # then the stranger's reply asks who they were
    assert "person" in first and "processedupdate" in first
    assert "person" not in second and "processedupdate" in second
    assert await district.chat.redeliver() == []


async def test_deactivating_or_unbinding_is_seen_by_the_next_update(district: District) -> None:
    li, chen = district.tg("P0102"), district.tg("P0101")
    assert [s.plain for s in await district.chat.send_sticker(li)] == [texts.plain(texts.NOT_TEXT)]
    # another worker (its own engine and connections) changes the directory meanwhile
    other = create_engine(district.app.settings.db_url)
    try:
        async with other.begin() as conn:
            await conn.execute(text("UPDATE person SET active = false WHERE code = 'P0102'"))
            await conn.execute(text("UPDATE person SET telegram_id = NULL WHERE code = 'P0101'"))
    finally:
        await other.dispose()
    [deactivated] = await district.chat.send_sticker(li)
    assert "已在最近一次名单导入中停用" in deactivated.plain
    assert [s.plain for s in await district.chat.send_sticker(chen)] == [texts.plain(texts.UNBOUND)]


async def test_a_role_taken_away_is_gone_at_the_next_update(district: District) -> None:
    async with district.app.sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == "P0803"))).one()
        viewer = await viewer_for(session, telegram_id=district.tg("P0803"))
        assert viewer is not None
        assert viewer.roles == {Role.SECRETARY, Role.MEMBER}
        await session.exec(
            delete(PersonRole).where(
                col(PersonRole.person_id) == person.id, col(PersonRole.role) == Role.SECRETARY
            )
        )
        await session.commit()
        viewer = await viewer_for(session, telegram_id=district.tg("P0803"))
        assert viewer is not None and viewer.roles == {Role.MEMBER}
        await session.exec(delete(PersonRole).where(col(PersonRole.person_id) == person.id))
        await session.commit()
        viewer = await viewer_for(session, telegram_id=district.tg("P0803"))
        assert viewer is not None and viewer.roles == frozenset()  # bound, no role: still known


async def test_writing_again_clears_the_unreachable_mark_even_on_a_read_only_reply(
    district: District,
) -> None:
    async with district.app.sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == "P0101"))).one()
        person.unreachable_at = NOW
        session.add(person)
        await session.commit()
    await district.chat.send_sticker(district.tg("P0101"))
    async with district.app.sessions() as session:
        person = (await session.exec(select(Person).where(Person.code == "P0101"))).one()
        assert person.unreachable_at is None
