"""Invites and binding: single use, 7-day expiry, 5 wrong codes an hour, one account per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import errors
from bot.services.directory.binding import redeem_invite
from bot.services.directory.identity import issue_invites, viewer_for
from storage.models import AuditEntry, Invite, Person, Role
from tests.factories import NOW, make_person, make_unit

TG = 777_000_001


async def _person(session: AsyncSession, **kwargs: object) -> Person:
    unit = await make_unit(session)
    return await make_person(session, unit, roles=(Role.FIRST, Role.SECRETARY), **kwargs)  # type: ignore[arg-type]


async def test_code_binds_once_and_is_stored_only_as_a_hash(session: AsyncSession) -> None:
    await _person(session)
    [issued] = await issue_invites(session, person_codes=["p0101"], now=NOW)
    stored = (await session.exec(select(Invite))).one()
    assert issued.code not in stored.code_hash
    assert stored.expires_at == NOW + timedelta(days=7)

    redeemed = await redeem_invite(session, code=issued.code.lower(), telegram_id=TG, now=NOW)
    viewer = redeemed.viewer
    assert (viewer.code, viewer.unit_name, viewer.roles) == (
        "P0101",
        "城关镇",
        frozenset({Role.FIRST, Role.SECRETARY}),
    )
    assert await viewer_for(session, telegram_id=TG) == viewer
    with pytest.raises(errors.InviteUsed):
        await redeem_invite(session, code=issued.code, telegram_id=TG + 1, now=NOW)
    actions = (await session.exec(select(AuditEntry.action))).all()
    assert sorted(actions) == ["bind", "invite"]


async def test_expired_code_is_refused(session: AsyncSession) -> None:
    await _person(session)
    [issued] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    with pytest.raises(errors.InviteExpired):
        await redeem_invite(session, code=issued.code, telegram_id=TG, now=NOW + timedelta(days=7))
    assert await viewer_for(session, telegram_id=TG) is None


async def test_new_invite_revokes_the_unused_old_one(session: AsyncSession) -> None:
    await _person(session)
    [old] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    [new] = await issue_invites(session, person_codes=None, now=NOW)
    with pytest.raises(errors.InviteUnknown):
        await redeem_invite(session, code=old.code, telegram_id=TG, now=NOW)
    assert (
        await redeem_invite(session, code=new.code, telegram_id=TG, now=NOW)
    ).viewer.code == "P0101"


async def test_five_wrong_codes_in_an_hour_make_even_a_right_one_wait(
    session: AsyncSession,
) -> None:
    await _person(session)
    [issued] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    for minute in range(5):
        with pytest.raises(errors.InviteUnknown):
            await redeem_invite(
                session, code="WRONG", telegram_id=TG, now=NOW + timedelta(minutes=minute)
            )
    with pytest.raises(errors.TooManyAttempts) as caught:
        await redeem_invite(
            session, code=issued.code, telegram_id=TG, now=NOW + timedelta(minutes=10)
        )
    assert caught.value.wait_minutes == 50
    other = await redeem_invite(
        session, code=issued.code, telegram_id=TG, now=NOW + timedelta(hours=1)
    )
    assert other.viewer.code == "P0101"


async def test_unknown_person_codes_are_named(session: AsyncSession) -> None:
    await _person(session)
    with pytest.raises(errors.UnknownPerson) as caught:
        await issue_invites(session, person_codes=["P0101", "P9999"], now=NOW)
    assert caught.value.codes == ["P9999"]


async def test_one_account_cannot_hold_two_people(session: AsyncSession) -> None:
    unit = await make_unit(session)
    await make_person(session, unit, telegram_id=TG)
    await make_person(session, unit, code="P0102", name="李红霞", roles=(Role.MEMBER,))
    [issued] = await issue_invites(session, person_codes=["P0102"], now=NOW)
    with pytest.raises(errors.AccountBoundElsewhere) as caught:
        await redeem_invite(session, code=issued.code, telegram_id=TG, now=NOW)
    assert caught.value.person_name == "陈立新"


async def test_deactivated_person_cannot_bind_and_is_not_a_viewer(session: AsyncSession) -> None:
    person = await _person(session)
    [issued] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    person.active = False
    person.telegram_id = TG + 5
    await session.commit()
    with pytest.raises(errors.InviteForInactive):
        await redeem_invite(session, code=issued.code, telegram_id=TG, now=NOW)
    assert await viewer_for(session, telegram_id=TG + 5) is None


async def test_a_new_phone_rebinds_the_person(session: AsyncSession) -> None:
    await _person(session, telegram_id=TG)
    [issued] = await issue_invites(session, person_codes=["P0101"], now=NOW)
    await redeem_invite(session, code=issued.code, telegram_id=TG + 1, now=NOW)
    assert await viewer_for(session, telegram_id=TG) is None
    ids = (await session.exec(select(Person.telegram_id).where(col(Person.code) == "P0101"))).all()
    assert ids == [TG + 1]
