"""In the chat: a typed question names its unit by the longest name, and is never refused as a button."""

from __future__ import annotations

from sqlmodel import col, select

from storage.models import Unit
from tests.handlers.conftest import District

ADMIN, SECRETARY = "P0001", "P0105"  # P0105: 城关镇's 联络员


async def rename(d: District, names: dict[str, str]) -> None:
    async with d.app.sessions() as session:
        for code, name in names.items():
            unit = (await session.exec(select(Unit).where(col(Unit.code) == code))).one()
            unit.name = name
            session.add(unit)
        await session.commit()


async def test_the_longest_unit_name_wins_and_her_own_unit_is_answered(
    district: District,
) -> None:
    await rename(district, {"U00": "区委", "U01": "区委组织部"})
    mine = await district.say(SECRETARY, "区委组织部还有哪些没完成")
    assert mine.startswith("📋 区委组织部未完成事项"), mine
    assert "不属于您的单位" not in mine and "不是您的单位" not in mine
    admin = await district.say(ADMIN, "区委组织部还有哪些没完成")
    assert admin.startswith("📋 区委组织部未完成事项"), admin


async def test_a_typed_question_about_another_unit_is_not_refused_as_a_button(
    district: District,
) -> None:
    other = await district.say(SECRETARY, "河西街道还有哪些没完成")
    assert "按钮" not in other
    assert other.startswith("联络员只能查看和提醒本单位：“河西街道”不是您的单位"), other
    assert "📋 城关镇未完成事项" in other
    assert "王海峰" not in other  # 河西街道's
