"""Wording of 交办督办: /assign (unit, holder, the task typed as a reply) and /assigned (tracking)."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.oversight.assign import Assigned, Choice
from bot.services.oversight.assign_parse import AssignProblem
from bot.services.oversight.tracking import State, Tracked
from bot.texts.ledger import due_label

PROMPT_MARK = "交办事项 · "  # the prompt's first words: the reply router knows it by them
PICK_UNIT = (
    "交办督办：选择承办单位（事项将列入其第一责任人或指定人员的清单，照常提醒、记实、导出）："
)
NO_UNITS = "还没有可交办的单位：请先导入名单（单位须有第一责任人、班子成员或纪检负责人）。"
STALE = "按钮已失效，请重新发送 /assign 或 /assigned。"
NONE_YET = "还没有交办事项。发送 /assign 交办。"
PROBLEMS = {
    "shape": "格式不对：请回复“事项内容 / 截止日期”，例如 整改督查发现的会议记录不全问题 / 2026-12-31",
    "too_long": "事项内容太长（{value} 字），请控制在 500 字以内。",
    "bad_date": "看不懂截止日期“{value}”：请写 2026-12-31，或月-日如 12-31。",
    "past": "截止日期“{value}”已过去，请写今天或以后的日期。",
    "holder": "承办人已不在该单位或已停用：请重新发送 /assign 选择。",
    "used": "这条交办提示已经交办过{value}，未再新建。如需再交办一项，请重新发送 /assign。",
}
_FINAL = {"holder", "used"}  # problems a second reply to the same prompt cannot mend


def pick_holder(unit: Choice) -> str:
    return f"交办给{escape(unit.name)}（{escape(unit.code)}）的哪一位？第一位是默认的第一责任人："


def holder_button(choice: Choice, default: bool) -> str:
    return f"{choice.name} · {choice.detail}" + ("（默认）" if default else "")


def prompt(unit: Choice, holder: Choice) -> str:
    """The ForceReply prompt (what a reply means is stored with it: its draft, not this text)."""
    return (
        f"{PROMPT_MARK}{escape(unit.name)}（{escape(unit.code)}）· "
        f"{escape(holder.name)}（{escape(holder.code)}）\n"
        "请<b>回复本消息</b>：事项内容 / 截止日期 / 来源（可选）\n"
        "例如：整改第三季度督查发现的会议记录不全问题 / 2026-12-31 / 2026年第三季度督查"
    )


def refused(problem: AssignProblem) -> str:
    value = problem.value
    if problem.code == "used":
        value = f"（【{value}】）" if value else ""
    text = PROBLEMS.get(problem.code, PROBLEMS["shape"]).format(value=escape(value))
    return text if problem.code in _FINAL else text + "\n可再次回复上面的交办提示消息。"


def assigned(done: Assigned, notified: bool) -> str:
    tail = "已通知本人。" if notified else "本人尚未绑定，未能通知：请联系其单位联络员。"
    return (
        f"✅ 已交办【{escape(done.item_code)}】{escape(done.content)}\n"
        f"承办：{escape(done.holder_name)}（{escape(done.holder_code)}，{escape(done.unit_name)}）"
        f"，截止 {due_label(done.due, done.deadline)}，来源：{escape(done.source)}。{tail}\n"
        "发送 /assigned 跟踪办理情况。"
    )


def holder_notice(done: Assigned, admin_name: str) -> str:
    return (
        f"📌 {escape(admin_name)}向您交办一项事项：\n"
        f"【{escape(done.item_code)}】{escape(done.content)}\n"
        f"截止 {due_label(done.due, done.deadline)}（来源：{escape(done.source)}）\n"
        "已列入您的清单（/my），到期前会提醒。办理后直接回复本消息说明情况，即记入履责记实。"
    )


def _state(task: Tracked) -> str:
    if not task.active:
        return "⚪ 已停用"
    if task.state is State.DONE and task.done_on:
        return f"✅ 已完成（{_md(task.done_on)}）"
    if task.state is State.CLOSED:
        return "⚪ 已关闭"
    if task.state is State.OVERDUE:
        return f"🔴 逾期 {task.days} 天"
    return "⏳ 今天到期" if task.days == 0 else f"⏳ 还有 {task.days} 天"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def tracking(
    tasks: list[Tracked], page: int, pages: int, total: int, counts: dict[State, int]
) -> str:
    """One page of /assigned."""
    if not total:
        return NONE_YET
    head = (
        f"<b>交办事项跟踪</b>（共 {total} 项：逾期 {counts.get(State.OVERDUE, 0)}、"
        f"办理中 {counts.get(State.OPEN, 0)}、已完成 {counts.get(State.DONE, 0)}、"
        f"已关闭 {counts.get(State.CLOSED, 0)}）"
    )
    lines = [head + (f" 第 {page + 1}/{pages} 页" if pages > 1 else "")]
    for task in tasks:
        lines.append(
            f"\n【{escape(task.item_code)}】{escape(task.content)}\n"
            f"  {escape(task.unit_name)} {escape(task.holder_name)}（{escape(task.holder_code)}）"
            f" · 截止 {due_label(task.due, task.nominal)} · {_state(task)}\n"
            f"  来源：{escape(task.source)}"
        )
    if any(task.open for task in tasks):
        lines.append("\n按下“提醒”按钮，经发件箱提醒承办人（每项每天一次）。")
    return "\n".join(lines)


def remind_button(task: Tracked) -> str:
    return f"提醒 {task.item_code} {task.holder_name}"


def reminder(task: Tracked, admin_name: str) -> str:
    """What the holder receives when an admin presses 提醒."""
    return (
        f"📌 交办事项提醒（{escape(admin_name)}）：\n"
        f"【{escape(task.item_code)}】{escape(task.content)}\n"
        f"截止 {due_label(task.due, task.nominal)} · {_state(task)}\n"
        "办理后请直接回复本消息说明情况，即记入履责记实。"
    )


REMIND_QUEUED = "已提醒{name}（经发件箱送达）。"
REMIND_AGAIN = "今天已提醒过{name}，明天可再次提醒。"
REMIND_UNBOUND = "{name}尚未绑定 Telegram，无法提醒：请联系其单位联络员。"
REMIND_NOT_OPEN = "该事项已完成或已关闭，无需提醒。"
