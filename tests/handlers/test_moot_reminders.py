"""A queued reminder is checked at delivery: one whose items were all recorded meanwhile is not sent."""

from __future__ import annotations

from sqlmodel import col, select

from bot.services.directory.identity import viewer_for
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.records.choices import choices_for
from storage.models import Outbox, OutboxState, ReplyKind
from tests.handlers.conftest import ZONE, District


async def _queue(d: District, code: str, items: list[str], key: str) -> None:
    tg = d.tg(code)
    now = d.clock.now()
    async with d.app.sessions() as session:
        viewer = await viewer_for(session, telegram_id=tg)
        assert viewer is not None
        by_code = {
            c.code: c.due_item_id
            for c in await choices_for(session, viewer=viewer, now=now, zone=ZONE)
        }
        message = OutboxMessage(
            dedupe_key=key,
            chat_id=tg,
            person_id=viewer.person_id,
            text=f"⏰ 履责提醒：{key}",
            not_before=now,
            kind="reminder",
            invites=Invites(ReplyKind.REMINDER, viewer.person_id, tuple(by_code[c] for c in items)),
        )
        await enqueue(session, messages=[message], now=now)
        await session.commit()


async def test_a_reminder_whose_items_were_done_while_it_waited_is_not_sent(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    await _queue(d, "P0101", ["C03"], "done-meanwhile")
    await _queue(d, "P0101", ["C03", "C05"], "one-still-open")
    proposal = [
        s for s in await d.chat.send_text(tg, "与班子成员签订了党风廉政建设目标责任书") if s.buttons
    ][-1]
    await d.chat.press(tg, proposal.message_id or 0, "确认")  # C03 recorded before delivery
    mark = d.fake.mark()
    counts = await d.app.sender.drain_once(d.clock.now())
    texts = [s.plain for s in d.fake.sent_since(mark) if s.chat_id == tg]
    assert texts == ["⏰ 履责提醒：one-still-open"] and counts.sent == 1
    async with d.app.sessions() as session:
        rows = {
            r.dedupe_key: r
            for r in (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
        }
    assert rows["done-meanwhile"].state is OutboxState.DROPPED
    assert rows["one-still-open"].state is OutboxState.SENT
