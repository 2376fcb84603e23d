"""In the chat: one link tapped by two accounts, your own link tapped again, re-binds, /unbind."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from sqlmodel import col, func, select

from bot import cli, texts
from bot.__main__ import _parser
from bot.localchat.chatlog import Sent
from bot.services.directory.binding import Unbinding
from bot.services.directory.identity import issue_invites
from bot.texts import binding as binding_texts
from storage.models import AuditEntry, FailedBind, Person, Role
from tests.handlers.conftest import NOW, ZONE, District, _settings

NEWCOMER = 556_000_001


def _to(sent: list[Sent], chat_id: int) -> str:
    return "\n".join(s.plain for s in sent if s.chat_id == chat_id and s.method == "sendMessage")


async def _code(d: District, person: str) -> str:
    async with d.app.sessions() as session:
        [issued] = await issue_invites(session, person_codes=[person], now=NOW)
    return issued.code


async def _person(d: District, code: str) -> Person:
    async with d.app.sessions() as session:
        return (await session.exec(select(Person).where(col(Person.code) == code))).one()


async def test_two_accounts_tapping_one_link_at_once_bind_exactly_one(
    unbound_district: District,
) -> None:
    d = unbound_district
    for round_, person in enumerate(("P0101", "P0102", "P0103")):
        code = await _code(d, person)
        first, second = NEWCOMER + 10 * round_, NEWCOMER + 10 * round_ + 1
        sent = await asyncio.gather(
            d.chat.send_text(first, f"/start {code}"), d.chat.send_text(second, f"/start {code}")
        )
        replies = [_to(sent[0], first), _to(sent[1], second)]
        winners = [i for i, reply in enumerate(replies) if reply.startswith("绑定成功")]
        assert len(winners) == 1, replies
        assert replies[1 - winners[0]] == texts.plain(texts.INVITE_USED)
        assert (await _person(d, person)).telegram_id == (first, second)[winners[0]]


async def test_tapping_your_own_link_again_greets_you_and_never_locks_you_out(
    unbound_district: District,
) -> None:
    d = unbound_district
    code = await _code(d, "P0101")
    assert "绑定成功" in _to(await d.chat.send_text(NEWCOMER, f"/start {code}"), NEWCOMER)
    for _ in range(7):
        sent = await d.chat.send_text(NEWCOMER, f"/start {code}")
        assert _to(sent, NEWCOMER).startswith("陈立新，您好！")
    menu = d.fake.commands_for({"type": "chat", "chat_id": NEWCOMER})
    assert [c["command"] for c in menu] == [
        c for c, _ in texts.commands_for(frozenset({Role.FIRST}))
    ]
    async with d.app.sessions() as session:
        failures = (await session.exec(select(func.count()).select_from(FailedBind))).one()
    assert failures == 0
    assert "【C01】" in _to(await d.chat.send_text(NEWCOMER, "/my"), NEWCOMER)
    other = await d.chat.send_text(NEWCOMER + 1, f"/start {code}")
    assert _to(other, NEWCOMER + 1) == texts.plain(texts.INVITE_USED)


async def test_a_rebind_code_moves_the_binding_and_tells_the_old_account(
    district: District,
) -> None:
    d = district
    old = d.tg("P0102")
    reply = await d.say("P0001", "/invite P0102")
    assert "李红霞（P0102，城关镇）【重新绑定" in reply
    [code] = re.findall(r"start=(\w+)", reply)
    sent = await d.chat.send_text(NEWCOMER, f"/start {code}")
    assert _to(sent, NEWCOMER).startswith("绑定成功！李红霞")
    told = _to(sent, old)
    assert told == texts.plain(binding_texts.moved_away("李红霞", NOW, ZONE))
    assert "2026-11-23 10:00" in told
    assert _to(await d.chat.send_text(old, "/my"), old) == texts.plain(texts.UNBOUND)
    async with d.app.sessions() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "rebind"))).one()
    assert json.loads(entry.detail) == {"person": "P0102", "replaced": old}


async def test_invite_all_covers_only_the_unbound_and_says_how_many_were_skipped(
    district: District,
) -> None:
    d = district
    everyone_bound = await d.say("P0001", "/invite all")
    assert everyone_bound == texts.plain(binding_texts.invites([], "", ZONE, skipped_bound=40))
    assert everyone_bound.startswith("在册人员均已绑定（40 人），没有生成邀请码。")
    await d.say("P0001", "/unbind P0102")
    await d.say("P0001", "/unbind P0103")
    reply = await d.say("P0001", "/invite all")
    assert reply.startswith("已生成 2 个邀请码")
    assert "李红霞（P0102，城关镇）：" in reply
    assert "重新绑定" not in reply.split("已绑定的")[0]
    assert "已绑定的 38 人未生成" in reply


async def test_an_admin_unbinds_a_person_and_the_released_account_is_told(
    district: District,
) -> None:
    d = district
    released = d.tg("P0105")
    assert "/unbind" in await d.say("P0001", "/help")
    assert "/unbind" not in await d.say("P0105", "/help")
    sent = await d.chat.send_text(d.tg("P0001"), "/unbind p0105")
    person = await _person(d, "P0105")
    done = Unbinding("P0105", person.name, released, NOW)
    assert _to(sent, d.tg("P0001")) == texts.plain(binding_texts.unbind_done(done))
    assert _to(sent, released) == texts.plain(
        binding_texts.you_were_unbound(person.name, NOW, ZONE)
    )
    assert (person.telegram_id, person.bound_at) == (None, None)
    assert _to(await d.chat.send_text(released, "/unit"), released) == texts.plain(texts.UNBOUND)
    admin = await _person(d, "P0001")
    async with d.app.sessions() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "unbind"))).one()
    assert entry.actor_person_id == admin.id
    assert await d.say("P0001", "/unbind P9999") == texts.unknown_people(["P9999"])
    assert await d.say("P0001", "/unbind") == texts.plain(binding_texts.UNBIND_USAGE)
    await d.say("P0101", "/unbind P0104")
    assert (await _person(d, "P0104")).telegram_id == d.tg("P0104"), "only admins may unbind"


async def test_the_command_line_unbinds_a_person(
    district: District, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(["unbind", "P0105"])
    settings = _settings(db_url)
    assert await cli.unbind(settings, args.person_code) == 0
    out = capsys.readouterr().out
    assert "已解除" in out and "P0105" in out and str(district.tg("P0105")) in out
    assert (await _person(district, "P0105")).telegram_id is None
    async with district.app.sessions() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "unbind"))).one()
    assert entry.actor_person_id is None
    assert await cli.unbind(settings, "P9999") == 2
    assert "未找到人员编码：P9999" in capsys.readouterr().err


async def test_the_command_line_invites_the_unbound_with_all_and_marks_rebinds(
    district: District, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(db_url).model_copy(update={"bot_username": "lvze_demo_bot"})
    assert await cli.unbind(settings, "P0102") == 0
    capsys.readouterr()
    assert await cli.invite(settings, [], everyone=True) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0] == list(binding_texts.INVITE_HEADER)
    assert [(row[0], row[5]) for row in rows[1:]] == [("P0102", "")]
    assert "共 1 人" in err and "已绑定的 39 人未生成" in err
    assert await cli.invite(settings, ["P0101", "P0102"], everyone=False) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert [(row[0], row[5]) for row in rows] == [("P0101", "重新绑定"), ("P0102", "")]
    assert "其中 1 人为重新绑定" in err
