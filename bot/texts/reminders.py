"""Chinese wording of reminders, 联络员 digests, admins' 约谈提醒 lists and the prompts' buttons."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from html import escape

from bot.services.calendar.periods import Period, stored_period
from bot.services.directory.recipients import Directory
from bot.services.ledger.status import DUE_SOON_DAYS
from bot.services.reminders.ladder import PROMPT, LadderRules
from bot.services.reminders.plan import Outgoing
from bot.services.reminders.selection import DIGEST, ESCALATION, REMINDER, UNDELIVERED, Due, Entry
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
        parts.append(_digest(outgoing, digest, today, directory))
    if listed := outgoing.part(ESCALATION):
        parts.append(_escalation(outgoing.rules, listed, today, directory))
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


def _by_holder(entries: list[Entry], directory: Directory) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        holder = entry.due.holder_id
        grouped[directory.name(holder) if holder is not None else "单位班子"].append(entry)
    return grouped


def _missed(entry: Entry, directory: Directory, unit_id: int) -> str:
    """Who a step did not reach: 陈立新, 孙志强（代 陈立新）, 河西街道 王芳 (another unit's)."""
    name = escape(directory.name(entry.missed)) or "单位班子事项的负责人"
    if entry.for_person is not None:
        name += f"（代{escape(directory.name(entry.for_person))}）"
    if entry.due.unit_id != unit_id:
        name = f"{name}（{escape(directory.units.get(entry.due.unit_id, ''))}）"
    return name


def _digest(outgoing: Outgoing, entries: list[Entry], today: date, directory: Directory) -> str:
    """The 联络员's lines, by unit (a stand-in may receive another unit's): who is overdue, then
    who could not be reached."""
    own = outgoing.recipient.unit_id
    overdue = [e for e in entries if e.step != UNDELIVERED]
    lines: list[str] = []
    by_unit: dict[int, list[Entry]] = defaultdict(list)
    for entry in overdue:
        by_unit[entry.due.unit_id].append(entry)
    for unit_id in sorted(by_unit, key=lambda u: (u != own, directory.units.get(u, ""))):
        unit = escape(directory.units.get(unit_id, ""))
        lines.append(
            ("\n" if lines else "")
            + f"📋 <b>逾期事项汇总</b> · {unit}（{_md(today)}）{_for_secretary(outgoing, unit_id, directory)}"
        )
        days = outgoing.rules.escalate_secretary
        lines.append(f"以下事项已逾期 {days} 个工作日以上，请督促办理：")
        for holder, held in _by_holder(by_unit[unit_id], directory).items():
            lines.append(f"\n<b>{escape(holder)}</b>")  # a group: split_text keeps it whole
            lines.extend(f"🔴 {_item(e.due)} · {due_words(e.due, today)}" for e in held)
    blocked = sorted({_missed(e, directory, own) for e in entries if e.step == UNDELIVERED})
    if blocked:
        lines.append(
            ("\n" if lines else "")
            + "⚠️ 以下同志的提醒无法送达（未绑定账号、已屏蔽机器人或 Telegram 拒收）："
            + "、".join(blocked)
            + "。请当面提醒，或请管理员发新的邀请码。"
        )
    if own in by_unit:
        lines.append("发送 /unit 查看本单位全部事项。")
    return "\n".join(lines)


def _for_secretary(outgoing: Outgoing, unit_id: int, directory: Directory) -> str:
    """（代 刘佳 接收） when the recipient receives a unit's digest for its absent 联络员."""
    away = [
        p.name
        for p in directory.unit_secretaries(unit_id)
        if directory.on_leave(p.person_id) and p.person_id != outgoing.recipient.person_id
    ]
    return f"（代{escape('、'.join(away))}接收，其休假中）" if away else ""


def _escalation(rules: LadderRules, entries: list[Entry], today: date, directory: Directory) -> str:
    """The admins' 约谈提醒 list as a phone reads it: the totals, then by unit one line per
    person (how many items, the longest overdue); the items themselves are in /interview."""
    after = rules.escalate_admin
    by_unit: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_unit[entry.due.unit_id].append(entry)
    people = {(e.due.unit_id, e.due.holder_id) for e in entries}
    lines = [
        f"⚠️ <b>约谈提醒名单</b>（{_md(today)}，逾期 {after} 个工作日以上）",
        f"共 {len(by_unit)} 个单位、{len(people)} 人（含单位班子）、{len(entries)} 项：",
    ]
    for unit_id in sorted(by_unit, key=lambda u: directory.units.get(u, "")):
        held = _by_holder(by_unit[unit_id], directory)
        # a group (blank line, bold header): split_text keeps it whole or repeats the header
        lines.append(
            f"\n<b>{escape(directory.units.get(unit_id, ''))}</b>"
            f"（{len(held)} 人，{len(by_unit[unit_id])} 项）"
        )
        for holder, items in held.items():
            worst = max((today - e.due.effective).days for e in items)
            lines.append(f"{escape(holder)}：{len(items)} 项，最久已逾期 {worst} 天")
    lines.append("\n发送 /interview 查看每人的逾期事项，确认后发出约谈提醒。")
    return "\n".join(lines)


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
