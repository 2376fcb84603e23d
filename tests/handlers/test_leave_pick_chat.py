"""In the chat: /leave by a name two people share — the days checked first, one leave per command."""

from __future__ import annotations

from sqlmodel import col, select

from bot.texts import leave_pick as pick_texts
from storage.models import Leave, Person
from tests.handlers.conftest import District


async def _namesake(d: District) -> None:
    """A second 赵德明 (P0201 renamed), as an import of an extra member would make."""
    async with d.app.sessions() as session:
        other = (await session.exec(select(Person).where(col(Person.code) == "P0201"))).one()
        other.name = "赵德明"
        session.add(other)
        await session.commit()


async def _leaves(d: District) -> list[Leave]:
    async with d.app.sessions() as session:
        return list((await session.exec(select(Leave))).all())


async def test_reversed_days_are_refused_before_asking_which_person(district: District) -> None:
    """/leave 赵德明 12-30 12-28 asked which 赵德明 first, then refused the days."""
    d = district
    await _namesake(d)
    reply = await d.say("P0001", "/leave 赵德明 12-30 12-28")
    assert "结束日期 2026-12-28 早于开始日期 2026-12-30" in reply
    assert "有同名人员" not in reply
    assert await _leaves(d) == []


async def test_one_command_registers_one_leave_whichever_buttons_are_pressed(
    district: District,
) -> None:
    """Pressing 赵德明 button 1 and then button 2 registered two leaves from one /leave."""
    d = district
    await _namesake(d)
    sent = await d.chat.send_text(d.tg("P0001"), "/leave 赵德明 12-28 12-30")
    [pick] = [s for s in sent if s.method == "sendMessage"]
    assert pick.plain == "有同名人员，请选择您要登记的是哪一位："
    labels = [b["text"] for b in pick.buttons]
    assert len(labels) == 2
    first = await d.chat.press(d.tg("P0001"), pick.message_id or 0, labels[0])
    assert any("✅ 已登记：赵德明" in s.plain for s in first)
    for label in (labels[1], labels[0]):
        again = await d.chat.press(d.tg("P0001"), pick.message_id or 0, label)
        [answer] = [s for s in again if s.method == "answerCallbackQuery"]
        assert answer.text == pick_texts.TAKEN
        assert not any(s.method == "sendMessage" for s in again)
    assert len(await _leaves(d)) == 1
