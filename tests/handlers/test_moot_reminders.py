"""A queued reminder is checked at delivery: sent without the items recorded meanwhile, or not at all."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.services.directory.identity import viewer_for
from bot.services.directory.recipients import Directory
from bot.services.outbox import Invites, OutboxMessage, enqueue
from bot.services.records.choices import choices_for
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.refresh import Rewording
from bot.services.reminders.run import Outgoing
from bot.telegram.sender import OutboxSender
from scheduler.jobs import remind
from storage.models import Outbox, OutboxState, ReplyKind, ReplyMeaning
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


async def _reminder_of(d: District, code: str) -> tuple[Outbox, ReplyMeaning]:
    async with d.app.sessions() as session:
        row = (
            await session.exec(
                select(Outbox)
                .where(Outbox.chat_id == d.tg(code), Outbox.kind == "reminder")
                .execution_options(populate_existing=True)
            )
        ).one()
        meaning = (
            await session.exec(
                select(ReplyMeaning)
                .where(ReplyMeaning.outbox_id == row.id)
                .execution_options(populate_existing=True)
            )
        ).one()
    return row, meaning


async def test_a_reminder_goes_without_the_items_recorded_while_it_waited(
    district: District,
) -> None:
    d = district
    tg = d.tg("P0101")
    assert (await remind(d.app.jobs, d.clock.now())).messages
    queued, meaning = await _reminder_of(d, "P0101")
    assert "【C03】" in queued.text and "【C04】" in queued.text
    await d.fake.go_down()  # Telegram is away: the reminder waits
    counts = await d.app.sender.drain_once(d.clock.now())
    assert counts.sent == 0 and counts.retry > 0
    await d.fake.come_back()
    proposal = [
        s for s in await d.chat.send_text(tg, "与班子成员签订了党风廉政建设目标责任书") if s.buttons
    ][-1]
    await d.chat.press(tg, proposal.message_id or 0, "确认")  # C03 recorded meanwhile
    waited, _ = await _reminder_of(d, "P0101")
    d.clock.set(waited.not_before)
    mark = d.fake.mark()
    await d.app.sender.drain_once(d.clock.now())
    [delivered] = [s for s in d.fake.sent_since(mark) if s.chat_id == tg]
    lines = queued.text.split("\n")
    c03 = next(n for n, line in enumerate(lines) if "【C03】" in line)
    assert delivered.text == "\n".join(lines[:c03] + lines[c03 + 2 :])  # the run's words, less C03
    assert "【C04】" in delivered.plain and "【C03】" not in delivered.plain
    sent, now_means = await _reminder_of(d, "P0101")
    assert sent.state is OutboxState.SENT and sent.text == delivered.text
    named = meaning.due_item_ids.split(",")
    assert now_means.due_item_ids.split(",") == [named[0], *named[2:]]  # a reply: not about C03


async def test_a_reminder_goes_as_queued_when_re_wording_it_fails(district: District) -> None:
    d = district
    tg = d.tg("P0101")
    assert (await remind(d.app.jobs, d.clock.now())).messages
    queued, meaning = await _reminder_of(d, "P0101")
    proposal = [
        s for s in await d.chat.send_text(tg, "与班子成员签订了党风廉政建设目标责任书") if s.buttons
    ][-1]
    await d.chat.press(tg, proposal.message_id or 0, "确认")  # C03 recorded before delivery

    def broken(outgoing: Outgoing, *, today: date, directory: Directory) -> tuple[str, str | None]:
        raise RuntimeError("a bug in the wording")

    sender = OutboxSender(
        d.app.sessions,
        d.app.notifier,
        d.clock,
        rewording=Rewording(render=broken, zone=ZONE, rules=LadderRules()),
    )
    mark = d.fake.mark()
    await sender.drain_once(d.clock.now())
    assert [s.text for s in d.fake.sent_since(mark) if s.chat_id == tg] == [queued.text]
    sent, means = await _reminder_of(d, "P0101")
    assert sent.state is OutboxState.SENT and means.due_item_ids == meaning.due_item_ids
