"""Each role sees only its commands; /my and /unit show the current period with codes in 【】."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot import texts
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from storage.models import Role
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, ZONE, District

P0101_ITEMS = {
    *("C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "D01", "D02", "I0101"),
    *("ZC", "BG"),  # the built-in 季度自查 and 半年报告 every official holds
}


def _codes(text: str) -> list[str]:
    return re.findall(r"【(\w+)】", text)


@pytest.mark.parametrize(
    ("person", "present", "absent"),
    [
        ("P0101", {"/my", "/help"}, {"/unit", "/invite"}),  # 第一责任人
        ("P0105", {"/my", "/unit", "/help"}, {"/invite"}),  # 联络员
        ("P0803", {"/my", "/unit", "/help"}, {"/invite"}),  # 联络员、班子成员
        ("P0001", {"/invite", "/help"}, {"/my", "/unit"}),  # 管理员
    ],
)
async def test_help_lists_only_the_commands_of_the_users_roles(
    district: District, person: str, present: set[str], absent: set[str]
) -> None:
    shown = set(re.findall(r"/\w+", await district.say(person, "/help")))
    assert present <= shown
    assert not (absent & shown)


@pytest.mark.parametrize(
    ("person", "command"),
    [("P0101", "/invite all"), ("P0101", "/unit"), ("P0105", "/invite P0101"), ("P0001", "/my")],
)
async def test_a_command_outside_the_users_roles_is_refused_plainly(
    district: District, person: str, command: str
) -> None:
    assert await district.say(person, command) == texts.plain(texts.UNKNOWN_COMMAND)


async def test_my_shows_the_first_responsibles_list_with_status(district: District) -> None:
    reply = await district.say_all_pages("P0101", "/my")
    assert reply.startswith("📋 陈立新的责任清单（城关镇 · 镇党委书记）")
    assert set(_codes(reply)) == P0101_ITEMS
    assert "共 14 项" in reply
    c02 = next(line for line in reply.splitlines() if "【C02】" in line)
    assert c02.startswith("⚠️")  # 03-31 has passed on 2026-11-23
    c01_due = reply.splitlines()[
        reply.splitlines().index(next(line for line in reply.splitlines() if "【C01】" in line)) + 1
    ]
    assert "2026年第四季度 · 截止 2026-12-31 · 还剩 38 天" in c01_due
    assert "【D01】" in reply
    assert "单位班子" in reply


async def test_a_member_holds_the_members_items_but_not_the_units(district: District) -> None:
    codes = set(_codes(await district.say_all_pages("P0102", "/my")))
    assert codes == {"M01", "M02", "M03", "M04", "M05", "I0102", "ZC", "BG"}


async def test_a_secretary_shares_the_unit_team_items(district: District) -> None:
    assert set(_codes(await district.say_all_pages("P0105", "/my"))) == {"D01", "D02"}


async def test_unit_shows_every_holder_in_the_secretarys_unit(district: District) -> None:
    reply = await district.say_all_pages("P0105", "/unit")
    assert reply.startswith("🏢 城关镇本期事项完成情况")
    assert "【M01】" in reply
    assert "（李红霞）" in reply
    assert "（孙志强）" in reply
    assert "【D01】" in reply
    assert "（单位班子）" in reply
    assert "【C01】" in reply
    assert "【I0201】" not in reply  # another unit's item


async def test_help_refreshes_the_menu_after_an_import_changes_roles(
    district: District, tmp_path: Path
) -> None:
    scope = {"type": "chat", "chat_id": district.tg("P0101")}
    await district.say("P0101", "/help")
    first = [c for c, _ in texts.commands_for(frozenset({Role.FIRST}))]
    assert [c["command"] for c in district.fake.commands_for(scope)] == first
    assert "unit" not in first and first[0] == "my" and first[-1] == "help"
    folder = tmp_path / "district"
    shutil.copytree(DISTRICT, folder)
    people = (folder / "people.csv").read_text(encoding="utf-8")
    people = people.replace(
        "P0101,陈立新,U01,镇党委书记,第一责任人", "P0101,陈立新,U01,镇党委书记,第一责任人、联络员"
    )
    (folder / "people.csv").write_text(people, encoding="utf-8")
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    assert "/unit" in await district.say("P0101", "/help")
    menu = [c["command"] for c in district.fake.commands_for(scope)]
    assert menu == [c for c, _ in texts.commands_for(frozenset({Role.FIRST, Role.SECRETARY}))]
    assert {"unit", "leave"} <= set(menu) - set(first)
