"""Binding through /start <code>: welcome, menu, and every refused code in Chinese."""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from bot.services.directory.identity import issue_invites
from storage.models import Role
from tests.handlers.conftest import NOW, District

NEWCOMER = 555_000_001


async def _code(d: District, person: str) -> str:
    async with d.app.sessions() as session:
        [issued] = await issue_invites(session, person_codes=[person], now=NOW)
    return issued.code


async def _reply(d: District, text: str, user: int = NEWCOMER) -> str:
    sent = await d.chat.send_text(user, text)
    return "\n".join(s.plain for s in sent)


async def test_start_with_code_binds_sets_the_menu_and_opens_my_list(
    unbound_district: District,
) -> None:
    d = unbound_district
    code = await _code(d, "P0101")
    assert d.fake.commands_for({"type": "chat", "chat_id": NEWCOMER}) == []
    reply = await _reply(d, f"/start {code}")
    assert "绑定成功" in reply
    assert "陈立新" in reply
    assert "/my" in reply
    assert "/invite" not in reply
    menu = d.fake.commands_for({"type": "chat", "chat_id": NEWCOMER})
    assert [c["command"] for c in menu] == [
        c for c, _ in texts.commands_for(frozenset({Role.FIRST}))
    ]
    [my] = await d.chat.send_text(NEWCOMER, "/my")
    assert "【C01】" in my.plain
    assert my.message_id is not None
    *_, more = await d.chat.press(NEWCOMER, my.message_id, "下一页 »")
    assert "【I0101】" in my.plain + more.plain


async def test_stranger_gets_how_to_bind_and_nothing_else(unbound_district: District) -> None:
    d = unbound_district
    for text in ("/start", "/my", "/help", "你好", "/invite all"):
        assert await _reply(d, text) == texts.plain(texts.UNBOUND)
    sticker = await d.chat.send_sticker(NEWCOMER)
    assert [s.plain for s in sticker] == [texts.plain(texts.UNBOUND)]


async def test_wrong_used_and_expired_codes_are_explained(unbound_district: District) -> None:
    d = unbound_district
    assert await _reply(d, "/start NOSUCHCODE") == texts.plain(texts.INVITE_UNKNOWN)
    code = await _code(d, "P0102")
    assert "绑定成功" in await _reply(d, f"/start {code}")
    assert await _reply(d, f"/start {code}", user=NEWCOMER + 1) == texts.plain(texts.INVITE_USED)
    stale = await _code(d, "P0103")
    d.clock.advance(timedelta(days=7, minutes=1))
    assert await _reply(d, f"/start {stale}", user=NEWCOMER + 2) == texts.plain(
        texts.INVITE_EXPIRED
    )


async def test_five_wrong_codes_in_an_hour_make_the_user_wait(unbound_district: District) -> None:
    d = unbound_district
    code = await _code(d, "P0101")
    for _ in range(5):
        assert await _reply(d, "/start WRONGCODE") == texts.plain(texts.INVITE_UNKNOWN)
    assert await _reply(d, f"/start {code}") == texts.too_many_attempts(60)
    d.clock.advance(timedelta(hours=1))
    assert "绑定成功" in await _reply(d, f"/start {code}")


async def test_one_account_cannot_bind_a_second_person(unbound_district: District) -> None:
    d = unbound_district
    assert "绑定成功" in await _reply(d, f"/start {await _code(d, 'P0101')}")
    reply = await _reply(d, f"/start {await _code(d, 'P0102')}")
    assert reply == texts.plain(texts.bound_elsewhere("陈立新"))
