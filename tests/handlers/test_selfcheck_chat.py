"""In the chat: /selfcheck steps through the quarter's items, notes by reply, resumable across restarts."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot import texts
from bot.clock import ManualClock
from bot.localchat.driver import Sent, start_local_chat
from bot.services.errors import Stale
from bot.services.records.writing import add_record
from bot.texts import selfcheck as words
from storage.models import DueItem, Holding, Item, Person, Record, SelfCheck, SelfCheckAnswer
from tests.handlers.conftest import NOW, ZONE, District, _settings

P0101_Q4_ITEMS = 12  # C01–C09, I0101, and U01's D01 (November) and D02


def last_buttons(sent: list[Sent]) -> Sent:
    """The last message the bot sent with buttons."""
    return [s for s in sent if s.method == "sendMessage" and s.buttons][-1]


def alert(sent: list[Sent]) -> Sent:
    [answer] = [s for s in sent if s.method == "answerCallbackQuery"]
    return answer


async def forged(d: District, code: str, data: str) -> list[Sent]:
    """A button with made-up data, pressed by `code`."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(code), "旧消息", reply_markup=keyboard)
    return await d.chat.press(d.tg(code), message.message_id, 1)


async def record(
    d: District, code: str, item: str, period_key: str, text: str, *, on: date | None = None
) -> None:
    """A 履责记实 for the person's due item (as the record flow would make it), done `on` (today)."""
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == code))).one()
        due = (
            await session.exec(
                select(DueItem)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(col(Item.code) == item, col(DueItem.period_key) == period_key)
                .where(
                    (col(Holding.person_id) == person.id)
                    | (col(Holding.person_id).is_(None) & (col(Holding.unit_id) == person.unit_id))
                )
            )
        ).one()
        assert person.id is not None
        await add_record(
            session,
            origin=f"test:{code}:{item}:{period_key}",
            due_item_id=due.id,
            author_id=person.id,
            unit_id=person.unit_id,
            text=text,
            happened_on=on or NOW.date(),
            now=NOW,
        )
        await session.commit()


async def answer_all(d: District, code: str, first: Sent, label: str = "已完成") -> Sent:
    """Press `label` on every step from `first` on; the review message at the end."""
    message = first
    while "请选择本项完成情况" in message.plain:
        assert message.message_id is not None
        message = last_buttons(await d.chat.press(d.tg(code), message.message_id, label))
    return message


async def test_a_full_self_check_with_a_note_is_stored_summarised_and_recorded(
    district: District,
) -> None:
    d = district
    await record(d, "P0101", "C01", "2026-Q4", "11月10日召开党委会专题研究党风廉政建设")
    first = last_buttons(await d.chat.send_text(d.tg("P0101"), "/selfcheck"))
    assert f"2026年第四季度（第 1/{P0101_Q4_ITEMS} 项）" in first.plain
    assert "【C01】" in first.plain and "已有履责记实 1 条" in first.plain
    assert "当前：✅ 已完成（按已有记实预填）" in first.plain
    labels = [b["text"] for b in first.buttons]
    assert labels == ["已完成", "推进中", "未开展", "写说明", "取消"]
    assert first.message_id is not None
    second = last_buttons(await d.chat.press(d.tg("P0101"), first.message_id, "已完成"))
    assert "第 2/12 项" in second.plain and "上一项" in [b["text"] for b in second.buttons]
    assert second.message_id is not None
    sent = await d.chat.press(d.tg("P0101"), second.message_id, "写说明")
    prompt = [s for s in sent if s.method == "sendMessage"][-1]
    assert prompt.reply_markup == {"force_reply": True, "input_field_placeholder": "自查说明"}
    assert prompt.plain.startswith("✏️ 自查说明 · 第 2/12 项 · 自查单 #")
    assert prompt.message_id is not None
    too_long = await d.chat.send_text(d.tg("P0101"), "长" * 201, reply_to=prompt.message_id)
    assert "说明请在 200 字以内（现在 201 字）" in too_long[0].plain
    sent = await d.chat.send_text(
        d.tg("P0101"), "计划已起草，待党委会审定", reply_to=prompt.message_id
    )
    assert sent[0].plain == "已记下第 2 项的说明：计划已起草，待党委会审定"
    again = last_buttons(sent)
    assert "第 2/12 项" in again.plain and "说明：计划已起草，待党委会审定" in again.plain
    assert again.message_id is not None
    third = last_buttons(await d.chat.press(d.tg("P0101"), again.message_id, "推进中"))
    assert third.message_id is not None
    fourth = last_buttons(await d.chat.press(d.tg("P0101"), third.message_id, "未开展"))
    review = await answer_all(d, "P0101", fourth)
    assert "12 项已全部填报" in review.plain
    assert "✅ 已完成 10 · 🔄 推进中 1 · ⭕ 未开展 1" in review.plain
    assert [b["text"] for b in review.buttons] == ["提交", "上一项", "取消"]
    assert review.message_id is not None
    done = await d.chat.press(d.tg("P0101"), review.message_id, "提交")
    summary = [s for s in done if s.method == "sendMessage"][-1].plain
    assert summary.startswith("✅ 已提交2026年第四季度自查（第 1 版）")
    assert "2. 🔄【C02】2026年度 · 推进中：计划已起草，待党委会审定" in summary
    assert "3. ⭕【C03】2026年度 · 未开展" in summary
    doubled = await d.chat.press(d.tg("P0101"), review.message_id, "提交")
    assert "这份自查已于此前提交" in doubled[-1].plain
    after = alert(await d.chat.press(d.tg("P0101"), first.message_id, "未开展"))
    assert after.show_alert and after.text == words.STALE[Stale.SUBMITTED]
    async with d.app.sessions() as session:
        made = (
            await session.exec(select(Record).where(col(Record.origin).like("selfcheck:%")))
        ).all()
        assert [r.text for r in made] == ["提交季度自查（第1版）"]
        zc = (
            await session.exec(
                select(Item.code, DueItem.period_key)
                .join(Holding, col(Holding.item_id) == col(Item.id))
                .join(DueItem, col(DueItem.holding_id) == col(Holding.id))
                .where(col(DueItem.id) == made[0].due_item_id)
            )
        ).one()
        assert tuple(zc) == ("ZC", "2026-Q4")
    mine = await d.say_all_pages("P0101", "/my")
    assert "✅【ZC】" in mine


async def test_a_draft_resumes_restarts_and_cancels_and_survives_a_new_app(
    district: District, db_url: str
) -> None:
    d = district
    first = last_buttons(await d.chat.send_text(d.tg("P0101"), "/selfcheck"))
    assert first.message_id is not None
    second = last_buttons(await d.chat.press(d.tg("P0101"), first.message_id, "推进中"))
    assert second.message_id is not None
    await d.chat.press(d.tg("P0101"), second.message_id, "未开展")
    # the bot restarts: a second app on the same database knows where the holder stopped
    clock = ManualClock(NOW)
    _app, _fake, chat = await start_local_chat(_settings(db_url), clock=clock)
    try:
        tg = d.tg("P0101")
        resume = last_buttons(await chat.send_text(tg, "/selfcheck"))
        assert resume.plain.startswith("📝 继续上次未完成的自查（第 3/12 项）")
        assert [b["text"] for b in resume.buttons] == ["继续", "重新开始", "取消"]
        assert resume.message_id is not None
        step = last_buttons(await chat.press(tg, resume.message_id, "继续"))
        assert "第 3/12 项" in step.plain and "【C03】" in step.plain
        assert step.message_id is not None
        fourth = last_buttons(await chat.press(tg, step.message_id, "已完成"))
        assert "第 4/12 项" in fourth.plain
        stale = alert(await chat.press(tg, step.message_id, "未开展"))  # the old step again
        assert stale.show_alert and stale.text == words.STALE[Stale.MOVED]
        resume = last_buttons(await chat.send_text(tg, "/selfcheck"))
        assert "第 4/12 项" in resume.plain
        assert resume.message_id is not None
        fresh = last_buttons(await chat.press(tg, resume.message_id, "重新开始"))
        assert "第 1/12 项" in fresh.plain and "当前：" not in fresh.plain
        assert fresh.message_id is not None
        gone = await chat.press(tg, fresh.message_id, "取消")
        assert gone[-1].plain == "已取消2026年第四季度的自查（第 1 版），没有提交任何内容。"
        late = alert(await chat.press(tg, fresh.message_id, "已完成"))
        assert late.text == words.STALE[Stale.CANCELLED]
        again = last_buttons(await chat.send_text(tg, "/selfcheck"))
        assert "第 1/12 项" in again.plain
    finally:
        await chat.stop()
    async with d.app.sessions() as session:
        checks = (await session.exec(select(SelfCheck).order_by(col(SelfCheck.version)))).all()
        assert [(c.version, c.state.value) for c in checks] == [(1, "cancelled"), (2, "draft")]
        answers = (await session.exec(select(SelfCheckAnswer))).all()
        assert {a.selfcheck_id for a in answers} <= {checks[0].id}


async def test_concurrent_submits_hand_in_once(district: District) -> None:
    d = district
    first = last_buttons(await d.chat.send_text(d.tg("P0103"), "/selfcheck"))
    review = await answer_all(d, "P0103", first, "推进中")
    assert review.message_id is not None
    presses = [d.chat.press(d.tg("P0103"), review.message_id, "提交") for _ in range(2)]
    results = await asyncio.gather(*presses)
    replies = {s.message_id: s.plain for sent in results for s in sent if s.method == "sendMessage"}
    assert sorted(t[:5] for t in replies.values()) == ["✅ 已提交", "这份自查已"]
    async with d.app.sessions() as session:
        made = (
            await session.exec(select(Record).where(col(Record.origin).like("selfcheck:%")))
        ).all()
        assert len(made) == 1
    # a second self-check of the quarter is version 2; the first stays as it was
    second = last_buttons(await d.chat.send_text(d.tg("P0103"), "/selfcheck"))
    review = await answer_all(d, "P0103", second, "已完成")
    assert review.message_id is not None
    done = await d.chat.press(d.tg("P0103"), review.message_id, "提交")
    assert "（第 2 版）" in done[-1].plain


async def test_stale_forged_and_foreign_buttons_change_nothing(district: District) -> None:
    d = district
    first = last_buttons(await d.chat.send_text(d.tg("P0101"), "/selfcheck"))
    assert first.message_id is not None
    data = first.buttons[0]["callback_data"]
    foreign = alert(await forged(d, "P0102", data))  # someone else's self-check
    assert foreign.show_alert and foreign.text == words.STALE[Stale.GONE]
    bogus = alert(await forged(d, "P0101", data.replace(":done", ":bogus")))
    assert bogus.text == words.STALE[Stale.GONE]
    broken = alert(await forged(d, "P0101", "sc:a:notanumber"))
    assert broken.text == texts.STALE_BUTTON
    early = alert(await forged(d, "P0101", data.replace("sc:a:", "sc:ok:")))
    assert early.text == words.STALE[Stale.UNFINISHED]
    old_quarter = alert(await forged(d, "P0101", "sc:q:0:0:2025-Q1:0"))
    assert old_quarter.text == words.STALE[Stale.GONE]
    step = last_buttons(await d.chat.send_text(d.tg("P0101"), "/selfcheck"))
    assert "第 1/12 项" in step.plain  # nothing moved
    stranger = alert(await forged(d, "P0105", data))  # a 联络员 has no self-check
    assert stranger.text == texts.STALE_BUTTON
    # a note typed as a reply after the draft was cancelled is not kept
    sent = await d.chat.press(d.tg("P0101"), first.message_id, "写说明")
    prompt = [s for s in sent if s.method == "sendMessage"][-1]
    assert prompt.message_id is not None
    await d.chat.press(d.tg("P0101"), first.message_id, "取消")
    late = await d.chat.send_text(d.tg("P0101"), "补一句说明", reply_to=prompt.message_id)
    assert late[-1].plain == texts.plain(words.NO_DRAFT_NOTE)


async def test_officials_only_reminder_button_and_last_quarter_offered_early(
    district: District,
) -> None:
    d = district
    for code in ("P0105", "P0001"):
        assert await d.say(code, "/selfcheck") == texts.plain(texts.UNKNOWN_COMMAND)
        assert "/selfcheck" not in await d.say(code, "/help")
    assert "/selfcheck" in await d.say("P0102", "/help")
    member = last_buttons(await d.chat.send_text(d.tg("P0102"), "/selfcheck"))
    assert "（第 1/6 项）\n【I0102】" in member.plain  # M01–M05 and I0102; no 单位班子 items
    sent = await forged(d, "P0101", "flow:selfcheck")  # 开始季度自查 on a reminder
    assert "第 1/12 项" in last_buttons(sent).plain
    # in a quarter's first days the previous quarter is offered first
    d.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=ZONE))
    choice = last_buttons(await d.chat.send_text(d.tg("P0103"), "/selfcheck"))
    assert (
        choice.plain
        == "📝 季度自查：请选择要自查的季度（2026年第四季度的自查尚未提交；本季度为2027年第一季度）。"
    )
    assert [b["text"] for b in choice.buttons] == ["2026年第四季度", "2027年第一季度"]
    assert choice.message_id is not None
    step = last_buttons(await d.chat.press(d.tg("P0103"), choice.message_id, "2026年第四季度"))
    assert "2026年第四季度（第 1/" in step.plain
    twice = last_buttons(await d.chat.press(d.tg("P0103"), choice.message_id, "2026年第四季度"))
    assert twice.plain == step.plain  # the same draft, not a second one


async def test_the_quarter_choice_names_the_quarters_offered_not_last_quarter(
    district: District,
) -> None:
    d = district
    d.clock.set(datetime(2027, 4, 20, 9, 0, tzinfo=ZONE))  # 2026Q4 owed (not 上季度), 2027Q2 begun
    choice = last_buttons(await d.chat.send_text(d.tg("P0103"), "/selfcheck"))
    assert [b["text"] for b in choice.buttons] == ["2026年第四季度", "2027年第二季度"]
    assert choice.plain == (
        "📝 季度自查：请选择要自查的季度（2026年第四季度的自查尚未提交；本季度为2027年第二季度）。"
    )
