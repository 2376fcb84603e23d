"""Invite codes under real concurrency, re-tapped links, re-binds, `/invite all` and unbinding."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import errors
from bot.services.directory.binding import Redemption, redeem_invite, unbind_person
from bot.services.directory.identity import invite_unbound, issue_invites, viewer_for
from storage.models import AuditEntry, FailedBind, Person, Role
from tests.factories import NOW, make_person, make_unit

TG = 880_000_001
ROUNDS = 4
Sessions = async_sessionmaker[AsyncSession]


async def _redeem(sessions: Sessions, code: str, telegram_id: int) -> Redemption:
    """One /start CODE on its own session (its own connection), as two updates would run."""
    async with sessions() as session:
        return await redeem_invite(session, code=code, telegram_id=telegram_id, now=NOW)


async def _people(session: AsyncSession, count: int) -> list[str]:
    unit = await make_unit(session)
    codes = [f"P01{n:02d}" for n in range(1, count + 1)]
    for n, code in enumerate(codes):
        await make_person(session, unit, code=code, name=f"人员{n}", roles=(Role.FIRST,))
    return codes


async def _failures(session: AsyncSession, telegram_id: int) -> int:
    query = select(func.count()).where(col(FailedBind.telegram_id) == telegram_id)
    return (await session.exec(query)).one()


async def test_two_accounts_sending_one_code_at_once_bind_exactly_one(
    sessions: Sessions, session: AsyncSession
) -> None:
    codes = await _people(session, ROUNDS)
    issued = await issue_invites(session, person_codes=codes, now=NOW)
    for round_, invite in enumerate(issued):
        first, second = TG + 10 * round_, TG + 10 * round_ + 1
        outcomes = await asyncio.gather(
            _redeem(sessions, invite.code, first),
            _redeem(sessions, invite.code, second),
            return_exceptions=True,
        )
        won = [i for i, o in enumerate(outcomes) if isinstance(o, Redemption)]
        lost = [o for o in outcomes if not isinstance(o, Redemption)]
        assert len(won) == 1, outcomes
        assert [type(o) for o in lost] == [errors.InviteUsed], outcomes
        winner = (first, second)[won[0]]
        bound = (
            await session.exec(
                select(Person.telegram_id)
                .where(col(Person.code) == invite.person_code)
                .execution_options(populate_existing=True)
            )
        ).one()
        assert bound == winner
        assert await viewer_for(session, telegram_id=(second, first)[won[0]]) is None


async def test_one_account_sending_two_codes_at_once_binds_one_person(
    sessions: Sessions, session: AsyncSession
) -> None:
    codes = await _people(session, 2)
    a, b = await issue_invites(session, person_codes=codes, now=NOW)
    outcomes = await asyncio.gather(
        _redeem(sessions, a.code, TG), _redeem(sessions, b.code, TG), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["AccountBoundElsewhere", "Redemption"]


async def test_thirty_wrong_codes_at_once_check_exactly_five(
    sessions: Sessions, session: AsyncSession
) -> None:
    await _people(session, 1)
    outcomes = await asyncio.gather(
        *(_redeem(sessions, f"WRONG{n:02d}", TG) for n in range(30)), return_exceptions=True
    )
    kinds = [type(o) for o in outcomes]
    assert kinds.count(errors.InviteUnknown) == 5, outcomes
    assert kinds.count(errors.TooManyAttempts) == 25, outcomes
    assert await _failures(session, TG) == 5


async def test_tapping_your_own_link_again_greets_and_never_counts(
    sessions: Sessions, session: AsyncSession
) -> None:
    [code] = await _people(session, 1)
    [issued] = await issue_invites(session, person_codes=[code], now=NOW)
    first = await _redeem(sessions, issued.code, TG)
    assert (first.again, first.viewer.code) == (False, code)
    for _ in range(6):
        again = await _redeem(sessions, issued.code, TG)
        assert (again.again, again.viewer, again.replaced_telegram_id) == (True, first.viewer, None)
    assert await _failures(session, TG) == 0
    assert (await session.exec(select(func.count()).where(AuditEntry.action == "bind"))).one() == 1
    with pytest.raises(errors.InviteUsed):
        await _redeem(sessions, issued.code, TG + 1)
    assert await _failures(session, TG + 1) == 1


async def test_invite_all_covers_the_unbound_only_and_counts_the_bound(
    session: AsyncSession,
) -> None:
    unit = await make_unit(session)
    await make_person(session, unit, code="P0101", telegram_id=TG)
    await make_person(session, unit, code="P0102", name="李红霞")
    await make_person(session, unit, code="P0103", name="王建国", active=False)
    batch = await invite_unbound(session, now=NOW)
    assert [(i.person_code, i.rebind) for i in batch.issued] == [("P0102", False)]
    assert batch.skipped_bound == 1
    assert [i.person_code for i in await issue_invites(session, person_codes=None, now=NOW)] == [
        "P0102"
    ]
    named = await issue_invites(session, person_codes=["P0101", "P0102"], now=NOW)
    assert [(i.person_code, i.rebind) for i in named] == [("P0101", True), ("P0102", False)]


async def test_a_rebind_code_moves_the_binding_names_the_old_account_and_is_audited(
    sessions: Sessions, session: AsyncSession
) -> None:
    unit = await make_unit(session)
    await make_person(session, unit, code="P0101", telegram_id=TG)
    [issued] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    moved = await _redeem(sessions, issued.code, TG + 1)
    assert (moved.again, moved.replaced_telegram_id, moved.viewer.code) == (False, TG, "P0101")
    assert await viewer_for(session, telegram_id=TG) is None
    entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "rebind"))).one()
    assert entry.actor_telegram_id == TG + 1
    assert json.loads(entry.detail) == {"person": "P0101", "replaced": TG}


async def test_binding_releases_the_account_from_an_inactive_old_holder(
    sessions: Sessions, session: AsyncSession
) -> None:
    unit = await make_unit(session)
    await make_person(session, unit, code="P0101", telegram_id=TG, active=False)
    await make_person(session, unit, code="P0102", name="李红霞")
    [issued] = await issue_invites(session, person_codes=["P0102"], now=NOW)
    bound = await _redeem(sessions, issued.code, TG)
    assert (bound.viewer.code, bound.replaced_telegram_id) == ("P0102", None)
    holders = (
        await session.exec(
            select(Person.code, Person.telegram_id)
            .order_by(col(Person.code))
            .execution_options(populate_existing=True)
        )
    ).all()
    assert [tuple(row) for row in holders] == [("P0101", None), ("P0102", TG)]


async def test_an_admin_unbinds_a_person_and_it_is_audited(session: AsyncSession) -> None:
    unit = await make_unit(session)
    admin = await make_person(session, unit, code="P0001", name="管理员", roles=(Role.ADMIN,))
    await make_person(session, unit, code="P0105", name="赵敏", telegram_id=TG)
    done = await unbind_person(session, person_code="p0105", now=NOW, actor_person_id=admin.id)
    assert (done.person_code, done.person_name, done.telegram_id) == ("P0105", "赵敏", TG)
    person = (await session.exec(select(Person).where(col(Person.code) == "P0105"))).one()
    assert (person.telegram_id, person.bound_at) == (None, None)
    assert await viewer_for(session, telegram_id=TG) is None
    entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "unbind"))).one()
    assert entry.actor_person_id == admin.id
    assert json.loads(entry.detail) == {"person": "P0105", "telegram_id": TG}
    again = await unbind_person(session, person_code="P0105", now=NOW)
    assert again.telegram_id is None
    with pytest.raises(errors.UnknownPerson) as caught:
        await unbind_person(session, person_code="P9999", now=NOW)
    assert caught.value.codes == ["P9999"]
