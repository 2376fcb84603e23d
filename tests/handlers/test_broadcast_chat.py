"""In the chat: an admin drafts a notice by replying, picks an audience, confirms once; people 已阅."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot import texts
from bot.localchat.chatlog import Sent
from bot.services.notices.broadcast import NoticeProblem
from bot.services.notices.stats import Ack
from bot.texts import notices as words
from handlers.acknowledge import AckButton
from handlers.notices import Nt
from storage.models import DraftState, Notice, NoticeReceipt, Outbox
from tests.handlers.conftest import District

ADMIN = "P0001"
TOWNS = ["P0101", "P0102", "P0103", "P0104", "P0105", "P0201", "P0202", "P0203", "P0204"]
TOWNS += ["P0301", "P0302", "P0303", "P0304"]


def _only(sent: list[Sent], method: str = "sendMessage") -> Sent:
    [found] = [s for s in sent if s.method == method]
    return found


async def forged(d: District, code: str, data: str) -> Sent:
    """A button with made-up data, pressed by `code` (the callback answer)."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(code), "旧消息", reply_markup=keyboard)
    sent = await d.chat.press(d.tg(code), message.message_id, 1)
    return _only(sent, "answerCallbackQuery")


async def draft(d: District, text: str | None = "请各单位于12月5日前报送年度述责述廉报告。") -> int:
    """/broadcast, then the reply with the text: the message id carrying the audience buttons."""
    prompt = _only(await d.chat.send_text(d.tg(ADMIN), "/broadcast"))
    assert prompt.plain.startswith("通知草稿 #")
    assert prompt.reply_markup == {"force_reply": True, "input_field_placeholder": "通知正文"}
    assert prompt.message_id is not None
    if text is None:
        return prompt.message_id
    saved = _only(await d.chat.send_text(d.tg(ADMIN), text, reply_to=prompt.message_id))
    assert "草稿" in saved.plain and "请选择接收范围" in saved.plain
    assert [b["text"] for b in saved.buttons] == ["全体", "按类别", "按单位", "按角色", "取消"]
    assert saved.message_id is not None
    return saved.message_id


async def press(d: District, code: str, message_id: int, button: str) -> list[Sent]:
    return await d.chat.press(d.tg(code), message_id, button)


def _edited(sent: list[Sent]) -> Sent:
    return _only(sent, "editMessageText")


async def _receipts(d: District) -> list[NoticeReceipt]:
    async with d.app.sessions() as session:
        rows = await session.exec(select(NoticeReceipt).order_by(col(NoticeReceipt.id)))
        return list(rows.all())


async def test_a_notice_to_the_towns_is_sent_once_and_acknowledged(district: District) -> None:
    d = district
    menu = await draft(d)
    picker = _edited(await press(d, ADMIN, menu, "按类别"))
    assert "按类别" in picker.plain and picker.buttons[0]["text"] == "镇街类"
    assert picker.plain.endswith("尚未选择") and "已选 " not in picker.plain
    chosen = _edited(await press(d, ADMIN, menu, "镇街类"))
    assert chosen.buttons[0]["text"] == "✅ 镇街类" and "已选类别：镇街类" in chosen.plain
    preview = _edited(await press(d, ADMIN, menu, "完成"))
    assert "接收人数：13 人" in preview.plain and "述责述廉报告" in preview.plain
    assert [b["text"] for b in preview.buttons] == ["确认发送", "返回", "取消"]

    started = _edited(await press(d, ADMIN, menu, "确认发送"))
    assert started.plain.startswith("通知 #1 正在发送 0/13")
    assert [b["text"] for b in started.buttons] == ["刷新进度"]
    again = await forged(d, ADMIN, Nt(act="send", id=1).pack())  # a second confirm
    assert again.show_alert and again.text == "通知 #1 已经发送（13 人），不会重复发送。"
    assert len(await _receipts(d)) == 13

    counts = await d.app.sender.drain_once(d.clock.now())
    assert counts.sent == 13
    copy = [s for s in d.fake.sent if s.chat_id == d.tg("P0101") and "区纪委监委通知" in s.plain]
    [notice] = copy
    assert "请各单位于12月5日前报送年度述责述廉报告。" in notice.plain
    assert "周建国 11月23日发布" in notice.plain
    assert [b["text"] for b in notice.buttons] == ["已阅"]
    assert not [
        s for s in d.fake.sent if s.chat_id == d.tg("P0401") and "区纪委监委通知" in s.plain
    ]

    assert notice.message_id is not None
    first = _only(await press(d, "P0101", notice.message_id, "已阅"), "answerCallbackQuery")
    assert first.show_alert and first.text == words.ACK[Ack.DONE]
    second = _only(await press(d, "P0101", notice.message_id, "已阅"), "answerCallbackQuery")
    assert second.text == "您已确认过，无需重复。"
    receipt = next(r for r in await _receipts(d) if r.acknowledged_at is not None)
    stranger = await forged(d, "P0102", AckButton(receipt=receipt.id or 0).pack())
    assert stranger.text == "这份通知不是发给您的，无法确认阅读。"
    outsider = await forged(d, "P0401", AckButton(receipt=receipt.id or 0).pack())
    assert outsider.text == "这份通知不是发给您的，无法确认阅读。"
    assert [r.acknowledged_at is not None for r in await _receipts(d)].count(True) == 1

    refreshed = _edited(await press(d, ADMIN, menu, "刷新进度"))
    assert refreshed.plain.startswith("通知 #1 发送完毕 13/13；已阅 1/13")
    assert refreshed.buttons == []


async def test_units_paged_roles_and_an_empty_range_go_back_to_choosing(district: District) -> None:
    d = district
    menu = await draft(d)
    page = _edited(await press(d, ADMIN, menu, "按单位"))
    assert [b["text"] for b in page.buttons][:2] == ["区纪委监委", "城关镇"]
    assert "下一页" in [b["text"] for b in page.buttons]
    second = _edited(await press(d, ADMIN, menu, "下一页"))
    assert "团区委" in [b["text"] for b in second.buttons]
    _edited(await press(d, ADMIN, menu, "团区委"))
    _edited(await press(d, ADMIN, menu, "上一页"))
    picked = _edited(await press(d, ADMIN, menu, "城关镇"))
    assert "已选单位：城关镇、团区委" in picked.plain
    preview = _edited(await press(d, ADMIN, menu, "完成"))
    assert "接收人数：7 人" in preview.plain

    _edited(await press(d, ADMIN, menu, "返回"))
    _edited(await press(d, ADMIN, menu, "按角色"))
    nothing = _edited(await press(d, ADMIN, menu, "完成"))
    assert nothing.plain.startswith(words.refused(NoticeProblem.NO_AUDIENCE))
    await d.say(ADMIN, "/unbind P0002")  # the only other admin has no Telegram now
    _edited(await press(d, ADMIN, menu, "按角色"))
    _edited(await press(d, ADMIN, menu, "管理员"))
    empty = _edited(await press(d, ADMIN, menu, "完成"))
    assert empty.plain.startswith("所选范围没有可接收的人员")
    assert empty.buttons[0]["text"] == "全体"
    sent = await forged(d, ADMIN, Nt(act="send", id=1).pack())  # a stale 确认发送
    assert sent.text == texts.alert(words.refused(NoticeProblem.EMPTY_AUDIENCE))
    async with d.app.sessions() as session:
        notice = await session.get(Notice, 1)
    assert notice is not None and notice.state == DraftState.DRAFT
    everyone = _edited(await press(d, ADMIN, menu, "全体"))
    assert "接收人数：38 人" in everyone.plain and "另有 1 人未绑定" in everyone.plain
    cancelled = _edited(await press(d, ADMIN, menu, "取消"))
    assert cancelled.plain == words.CANCELLED
    late = await forged(d, ADMIN, Nt(act="send", id=1).pack())
    assert late.text == texts.alert(words.refused(NoticeProblem.CANCELLED))
    assert await _receipts(d) == []


async def test_a_document_with_a_long_text_and_a_long_notice_are_split(district: District) -> None:
    d = district
    prompt = await draft(d, None)
    long_text = "关于开展警示教育月活动的通知。\n" + "各单位要认真组织学习。" * 150
    reply = await d.chat.send_document(
        d.tg(ADMIN), b"%PDF-1.4 fake", "警示教育方案.pdf", caption=long_text[:900], reply_to=prompt
    )
    menu = _only(reply)
    assert "附件：文件" in menu.plain
    await d.chat.send_text(d.tg(ADMIN), long_text, reply_to=prompt)  # the text replaced, file kept
    menu = _only(await d.chat.send_text(d.tg(ADMIN), long_text * 3, reply_to=prompt))
    assert menu.message_id is not None
    _edited(await press(d, ADMIN, menu.message_id, "按单位"))
    _edited(await press(d, ADMIN, menu.message_id, "河西街道"))
    _edited(await press(d, ADMIN, menu.message_id, "完成"))
    _edited(await press(d, ADMIN, menu.message_id, "确认发送"))
    await d.app.sender.drain_once(d.clock.now())
    mine = [s for s in d.fake.sent if s.chat_id == d.tg("P0201") and s.method != "setMyCommands"]
    assert [s.method for s in mine] == ["sendDocument", "sendMessage", "sendMessage"]
    assert mine[0].document_name == "警示教育方案.pdf" and "正文见下条" in (mine[0].text or "")
    assert mine[0].buttons == [] and mine[1].buttons == []
    assert [b["text"] for b in mine[2].buttons] == ["已阅"]
    assert all(len(s.plain) <= 4096 for s in mine)


async def test_a_photo_caption_notice_and_refused_replies(district: District) -> None:
    d = district
    prompt = await draft(d, None)
    too_big = await d.chat.send_document(
        d.tg(ADMIN), b"0" * (20 * 1024 * 1024 + 1), "录像.zip", reply_to=prompt
    )
    assert _only(too_big).plain == texts.plain(words.refused(NoticeProblem.FILE_TOO_BIG))
    photo = await d.chat.send_photo(d.tg(ADMIN), reply_to=prompt)
    assert _only(photo).plain == texts.plain(words.FILE_SAVED)
    menu = _only(await d.chat.send_text(d.tg(ADMIN), "<b>请查看</b>附图", reply_to=prompt))
    assert menu.message_id is not None
    _edited(await press(d, ADMIN, menu.message_id, "按角色"))
    _edited(await press(d, ADMIN, menu.message_id, "纪检负责人"))
    preview = _edited(await press(d, ADMIN, menu.message_id, "完成"))
    assert "附件：图片" in preview.plain and "接收人数：7 人" in preview.plain
    _edited(await press(d, ADMIN, menu.message_id, "确认发送"))
    await d.app.sender.drain_once(d.clock.now())
    [copy] = [s for s in d.fake.sent if s.chat_id == d.tg("P0103") and s.method == "sendPhoto"]
    assert "<b>请查看</b>附图" in copy.plain and [b["text"] for b in copy.buttons] == ["已阅"]
    edit = await d.chat.send_text(d.tg(ADMIN), "改一下", reply_to=prompt)
    assert _only(edit).plain == texts.plain(words.refused(NoticeProblem.SENT))


async def test_only_admins_may_broadcast_and_drafts_are_their_authors(district: District) -> None:
    d = district
    for code in ("P0101", "P0105"):
        assert await d.say(code, "/broadcast") == texts.plain(texts.UNKNOWN_COMMAND)
        answer = await forged(d, code, Nt(act="kind", id=1, v="all").pack())
        assert answer.text == texts.STALE_BUTTON
    menu = await draft(d)
    other = await forged(d, "P0002", Nt(act="send", id=1).pack())
    assert other.text == texts.alert(words.refused(NoticeProblem.NOT_FOUND))
    bad = await forged(d, ADMIN, Nt(act="tog", id=1, v="99").pack())
    assert bad.text == texts.STALE_BUTTON
    _edited(await press(d, ADMIN, menu, "全体"))
    async with d.app.sessions() as session:
        rows = (await session.exec(select(Outbox))).all()
    assert [r for r in rows if r.kind == "notice"] == []
