"""In the chat: a person deactivated by a later import who presses an old button is told so."""

from __future__ import annotations

from sqlmodel import col, select, update

from storage.models import Person, Record
from tests.handlers.conftest import District

MEMBER = "P0102"  # 李红霞, 城关镇; 刘佳 is the unit's 联络员


async def test_a_deactivated_person_pressing_an_old_button_is_told_whom_to_ask(
    district: District,
) -> None:
    tg = district.tg(MEMBER)
    sent = await district.chat.send_text(tg, "今天上午召开党委会专题研究了党风廉政建设")
    proposal = [s for s in sent if s.buttons][-1]
    async with district.app.sessions() as session:
        await session.exec(update(Person).where(col(Person.code) == MEMBER).values(active=False))
        await session.commit()
    [answer, *_] = await district.chat.press(tg, proposal.message_id or 0, 1)
    alert = answer.text or ""
    assert "尚未绑定" not in alert, alert
    assert "已在最近一次名单导入中停用" in alert and "刘佳" in alert, alert
    assert "请联系本单位联络员刘佳、管理员周建国核实名单" in alert, alert  # no space before names
    assert "<" not in alert and "&" not in alert  # an alert shows no HTML
    async with district.app.sessions() as session:
        assert (await session.exec(select(Record))).all() == []
