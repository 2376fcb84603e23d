"""Chinese wording of 季度自查 (/selfcheck): the steps, the note prompt, the review and the summary."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.calendar.periods import Period
from bot.services.errors import Stale
from bot.services.ledger.holder_period import HolderItem
from bot.services.records.selfcheck import Sheet
from bot.texts.ledger import period_label

STATUS_WORDS = {"done": "已完成", "progress": "推进中", "none": "未开展"}
STATUS_MARKS = {"done": "✅", "progress": "🔄", "none": "⭕", "": "▫️"}
BUTTON_DONE, BUTTON_PROGRESS, BUTTON_NONE = "已完成", "推进中", "未开展"
BUTTON_NOTE, BUTTON_BACK, BUTTON_CANCEL = "写说明", "上一项", "取消"
BUTTON_SUBMIT, BUTTON_CONTINUE, BUTTON_RESTART = "提交", "继续", "重新开始"
# The note prompt's first line: the reply router finds the self-check and the step in it.

CHOOSE_QUARTER = "📝 <b>季度自查</b>：请选择要自查的季度"
NO_DRAFT_NOTE = "这份自查已结束（已提交或已取消），说明没有保存。发送 /selfcheck 重新开始。"
NOTE_EMPTY = "说明不能为空：请回复自查说明提示，写一句话说明情况。"
NOTE_TOO_LONG = "说明请在 {limit} 字以内（现在 {length} 字）：请精简后重新回复自查说明提示。"
STALE = {
    Stale.GONE: "这个按钮已失效（不是您的自查，或自查不存在）。请发送 /selfcheck。",
    Stale.SUBMITTED: "这份自查已经提交，不能再修改。如需更正，请发送 /selfcheck 再做一版。",
    Stale.CANCELLED: "这份自查已取消。请发送 /selfcheck 重新开始。",
    Stale.MOVED: "这一步已经填过了，请在最新的自查消息上继续。",
    Stale.UNFINISHED: "还有事项没有填报，请先逐项填完再提交。",
    Stale.SHIFTED: "自查事项有变动（如新增了到期事项），这个按钮对应的事项已不在这一步，没有保存。"
    "请重新发送 /selfcheck，点“继续”在最新的消息上填写。",
}


def choose_quarter(offered: list[Period], today: date) -> str:
    """The heading over the offered quarters, worded from them: the ended ones still owed by
    name (2026年第一季度、2026年第三季度的自查尚未提交), the current one as 本季度."""
    ended = "、".join(period_label(p) for p in offered if p.end < today)
    current = [period_label(p) for p in offered if p.start <= today <= p.end]
    said = [f"{ended}的自查尚未提交"] if ended else []
    said += [f"本季度为{current[0]}"] if current else []
    return CHOOSE_QUARTER + (f"（{'；'.join(said)}）" if said else "") + "。"


def _item_line(item: HolderItem) -> str:
    owner = "（单位班子）" if item.unit_team else ""
    return (
        f"【{escape(item.item_code)}】{escape(item.content)}{owner}"
        f"\n{period_label(item.period)} · {item.duty_type.value}"
    )


def step(sheet: Sheet) -> str:
    """The current step: the item, what is recorded, the answer so far."""
    item = sheet.current
    assert item is not None
    total = len(sheet.items)
    lines = [
        f"📝 <b>季度自查</b> · {period_label(sheet.period)}（第 {sheet.position + 1}/{total} 项）",
        _item_line(item),
    ]
    if item.records:
        last = item.records[-1]
        lines.append(
            f"已有履责记实 {len(item.records)} 条，最近：{last.happened_on:%Y-%m-%d} "
            f"{escape(last.text)}"
        )
    else:
        lines.append("本期尚无履责记实。")
    given = sheet.answer(item)
    if given.status:
        prefilled = "（按已有记实预填）" if item.records and given.status == "done" else ""
        lines.append(f"当前：{STATUS_MARKS[given.status]} {STATUS_WORDS[given.status]}{prefilled}")
    if given.note:
        lines.append(f"说明：{escape(given.note)}")
    lines.append("请选择本项完成情况；需要补充时点“写说明”。")
    return "\n".join(lines)


def _answer_lines(sheet: Sheet) -> list[str]:
    lines = []
    for number, item in enumerate(sheet.items, 1):
        given = sheet.answer(item)
        words = STATUS_WORDS.get(given.status, "未填")
        line = (
            f"{number}. {STATUS_MARKS[given.status]}【{escape(item.item_code)}】"
            f"{period_label(item.period)} · {words}"
        )
        if given.note:
            line += f"：{escape(given.note)}"
        lines.append(line)
    return lines


def _counts(sheet: Sheet) -> str:
    return " · ".join(
        f"{STATUS_MARKS[s]} {STATUS_WORDS[s]} {sheet.count(s)}"
        for s in ("done", "progress", "none")
    )


def review(sheet: Sheet) -> str:
    """After the last step: everything at a glance, then 提交."""
    head = f"📝 <b>季度自查</b> · {period_label(sheet.period)}：{len(sheet.items)} 项已全部填报"
    if not sheet.items:
        head = f"📝 <b>季度自查</b> · {period_label(sheet.period)}：本季度没有需要自查的清单事项"
    lines = [head, _counts(sheet), *_answer_lines(sheet)]
    lines.append("确认无误请点“提交”；可点“上一项”修改。提交后本季度以最新提交的一版为准。")
    return "\n".join(lines)


def resume(sheet: Sheet) -> str:
    shown = min(sheet.position + 1, len(sheet.items))
    where = f"第 {shown}/{len(sheet.items)} 项" if sheet.current else "已填完，待提交"
    return (
        f"📝 继续上次未完成的自查（{where}）\n{period_label(sheet.period)} · 第 {sheet.version} 版。"
        "点“继续”接着填，“重新开始”清空已填内容从第 1 项开始，“取消”放弃这份自查。"
    )


def note_prompt(sheet: Sheet, index: int) -> str:
    """The ForceReply prompt (a reply to it is found by its stored meaning, not this text)."""
    item = sheet.items[index]
    return (
        f"✏️ 自查说明 · 第 {index + 1}/{len(sheet.items)} 项 · 自查单 #{sheet.id}\n"
        f"【{escape(item.item_code)}】{escape(item.content)}\n"
        "请直接<b>回复本消息</b>，用一两句话写明完成情况或未开展的原因（200 字以内）。"
    )


def note_saved(index: int, note: str) -> str:
    return f"已记下第 {index + 1} 项的说明：{escape(note)}"


def note_too_long(limit: int, length: int) -> str:
    return NOTE_TOO_LONG.format(limit=limit, length=length)


def submitted(sheet: Sheet) -> str:
    """The summary after 提交 (or a doubled press's reminder of it)."""
    head = (
        f"✅ 已提交{period_label(sheet.period)}自查（第 {sheet.version} 版）"
        if sheet.fresh
        else f"这份自查已于此前提交（{period_label(sheet.period)} · 第 {sheet.version} 版）"
    )
    lines = [head, _counts(sheet), *_answer_lines(sheet)]
    if sheet.fresh:
        lines.append("已记入履责记实：【ZC】季度自查。如需更正，可再次发送 /selfcheck 做新的一版。")
    return "\n".join(lines)


def cancelled(sheet: Sheet) -> str:
    return f"已取消{period_label(sheet.period)}的自查（第 {sheet.version} 版），没有提交任何内容。"
