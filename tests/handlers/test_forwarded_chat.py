"""A forwarded message is someone else's words: never proposed nor recorded as the forwarder's."""

from __future__ import annotations

from sqlmodel import select

from bot import texts
from bot.texts import incoming as words
from storage.models import Proposal, Record
from tests.handlers.conftest import District
from tests.handlers.raw_updates import forward

SENTENCE = "今天上午召开党委会专题研究了党风廉政建设"
GROUP = -100_555_000


async def _nothing_stored(d: District) -> bool:
    async with d.app.sessions() as session:
        proposals = (await session.exec(select(Proposal))).all()
        records = (await session.exec(select(Record))).all()
    return not proposals and not records


async def test_a_forwarded_completion_is_not_recorded_and_says_to_write_ones_own(
    district: District,
) -> None:
    sent = await forward(district, district.tg("P0101"), SENTENCE)
    assert [s.plain for s in sent] == [texts.plain(words.FORWARDED)]
    assert "转发" in sent[0].plain and "自己的话" in sent[0].plain
    assert not sent[0].buttons
    assert await _nothing_stored(district)


async def test_in_a_group_a_forwarded_message_gets_no_answer(district: District) -> None:
    assert await forward(district, district.tg("P0101"), SENTENCE, group=GROUP) == []
    assert await _nothing_stored(district)
