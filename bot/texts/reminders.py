"""Chinese wording of reminders, 联络员 digests, admins' 约谈提醒 lists and the prompts' buttons."""

from __future__ import annotations

import json
from datetime import date
from html import escape

from bot.services.calendar.periods import Period, stored_period
from bot.services.directory.recipients import Directory
from bot.services.ledger.status import DUE_SOON_DAYS
from bot.services.reminders.ladder import PROMPT
from bot.services.reminders.plan import Outgoing
from bot.services.reminders.selection import DIGEST, ESCALATION, REMINDER, Due, Entry
from bot.texts import overdue_digests as digests
from bot.texts.ledger import due_label, period_label

_PROMPT_WORDS = {"selfcheck": "季度自查", "report": "半年报告"}
_BUTTON_WORDS = {"selfcheck": "开始季度自查", "report": "开始写半年报告"}
REPLY_HINT = (
    "完成后请直接<b>回复本消息</b>，用一句话写明做了什么"
    "（如“今天上午召开党委会专题研究了党风廉政建设”），即记入履责记实。"
)


PROMPT_HINT = "请点下方按钮开始，按步骤填写后提交。"
SYSTEM_HINT = "季度自查、半年报告请点下方按钮，按步骤填写后提交（回复本消息不能记入）。"


def review_button(system: str, period: Period) -> tuple[str, str]:
    """The label and callback data of the button that opens `period`'s self-check or report
    (the data is handlers.flows.Review(name=system, period=period.key).pack())."""
    return f"{_BUTTON_WORDS[system]}（{period_label(period)}）", f"review:{system}:{period.key}"


def _review_words(due: Due) -> str:
    """2026年第四季度的季度自查 / 2026年下半年的半年报告 (the item's own content repeats it)."""
    assert due.system is not None
    period = stored_period(due.period_key, due.period_start, due.period_end)
    return f"{period_label(period)}的{_PROMPT_WORDS[due.system]}"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def due_words(due: Due, today: date) -> str:
    """截止 2026-10-08（10月1日逢节假日顺延） · 已逾期 3 天 — the lists' words for a due date."""
    words = f"截止 {due_label(due.effective, due.nominal)}"
    left = (due.effective - today).days
    if left < 0:
        return f"{words} · 已逾期 {-left} 天"
    if left == 0:
        return f"{words} · 今天到期"
    return f"{words} · 还剩 {left} 天"


def light(due: Due, today: date) -> str:
    """🔴 overdue, 🟡 due within DUE_SOON_DAYS, ⚪ later: the lights /pending explains (done
    items are never reminded)."""
    if due.effective < today:
        return "🔴"
    return "🟡" if (due.effective - today).days <= DUE_SOON_DAYS else "⚪"


def _item(due: Due) -> str:
    period = stored_period(due.period_key, due.period_start, due.period_end)
    return f"【{escape(due.item_code)}】{escape(due.content)}（{period_label(period)}）"


def render(outgoing: Outgoing, *, today: date, directory: Directory) -> tuple[str, str | None]:
    """The text and the inline keyboard (JSON) of one recipient's message in this run: their own
    reminders, then (a 联络员) the unit's digest, then (an admin) the 约谈提醒 list."""
    parts: list[str] = []
    markup = None
    if own := outgoing.part(REMINDER):
        text, markup = _reminder(outgoing.recipient.name, own, today, directory)
        parts.append(text)
    if digest := outgoing.part(DIGEST):
        parts.append(digests.digest(outgoing, digest, today, directory))
    if listed := outgoing.part(ESCALATION):
        parts.append(digests.escalation(outgoing.rules, listed, today, directory))
    return "\n\n".join(parts), markup


def _reminder(
    name: str, entries: list[Entry], today: date, directory: Directory
) -> tuple[str, str | None]:
    lines = [f"⏰ <b>履责提醒</b>（{_md(today)}）", f"{escape(name)}同志，以下事项请关注："]
    buttons: list[tuple[str, str]] = []
    for entry in entries:
        due = entry.due
        # every 季度自查 / 半年报告 of the recipient's own comes with the button that opens its
        # period (one acting for an absent colleague cannot hand in theirs)
        if due.system and entry.for_person is None:
            period = stored_period(due.period_key, due.period_start, due.period_end)
            button = review_button(due.system, period)
            if button not in buttons:
                buttons.append(button)
        if entry.step == PROMPT and due.system:
            lines.append(
                f"📝 【{escape(due.item_code)}】{_review_words(due)}，请于{_md(due.effective)}前完成。"
            )
            continue
        lines.append(f"{light(due, today)} {_item(due)}")
        lines.append(f"　　{due_words(due, today)}{_acting(entry, directory)}")
    # a reply records only ordinary items; 季度自查 / 半年报告 are handed in by the button
    replyable = any(not entry.due.system for entry in entries)
    if replyable:
        lines.append(REPLY_HINT)
    if buttons:
        lines.append(SYSTEM_HINT if replyable else PROMPT_HINT)
    markup = None
    if buttons:
        rows = [[{"text": label, "callback_data": data}] for label, data in buttons]
        markup = json.dumps({"inline_keyboard": rows}, ensure_ascii=False)
    return "\n".join(lines), markup


def _acting(entry: Entry, directory: Directory) -> str:
    if entry.for_person is None:
        return ""
    return f" · 代{escape(directory.name(entry.for_person))}办理（其休假中）"


TICK_BAD_NOW = (
    "错误：--now “{value}” 不是有效的时间。请写 ISO 8601 格式，例如 2026-12-24T09:00 "
    "或 2026-12-24T09:00+08:00（不写时区按 BOT_TIMEZONE）。"
)
TICK_OUTSIDE = "{when}：非工作日或不在发送时段（QUIET_HOURS、REMINDER_TIME），本次不选取提醒。"
TICK_QUEUED = "{when}：新写入发件箱 {messages} 条消息（{steps} 个提醒步骤）。"
TICK_RECOVERED = "上次发送中断（进程被终止）留下 {count} 条未确认的消息，重新排队发送。"
TICK_SENT = "已发送 {sent} 条，失败 {failed} 条，稍后重试 {retry} 条。"
TICK_HANDED = "正在运行的机器人持有发送权：消息已写入发件箱，由它发送。"


REVIEW_LIST = "您的责任清单见下一条消息（也可随时发送 /my 查看）。"
_REVIEW_INTRO = {
    "selfcheck": (
        "📝 <b>季度自查</b>：请对照下面的清单逐项检查本季度的履责情况。"
        "已完成但还没有记录的，请直接回复提醒消息或发送一句话说明做了什么；"
        "确有困难未开展的，请向本单位联络员说明。"
    ),
    "report": (
        "📝 <b>半年报告</b>：请对照下面的清单回顾半年来的履责情况，"
        "把已完成的事项逐项记入履责记实，未完成的写明原因和下一步安排。"
    ),
}


def review_intro(name: str) -> str:
    """The reply to a reminder's 开始季度自查 / 开始写半年报告 button for one without a review of
    their own: what to do; their list follows as /my's first page (a screen, then 下一页 »)."""
    return _REVIEW_INTRO.get(name, _REVIEW_INTRO["selfcheck"]) + "\n" + REVIEW_LIST
