"""Wording of /leave: usage, the list, confirmations, the acting person's note and refusals."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.directory.identity import Viewer
from bot.services.directory.leave import LeaveCancelled, LeaveSet, LeaveView
from bot.services.directory.leave_dates import MAX_DAYS
from bot.services.errors import LeaveProblem, LeaveRefused

USAGE = (
    "用法：\n"
    "<code>/leave P0102 2026-12-01 2026-12-10 P0103</code> — 登记 P0102 12月1日至12月10日请假，"
    "期间其事项的提醒改发代办人 P0103（代办人可省略）；\n"
    "<code>/leave P0102 12-01 12-10</code> — 只写月-日时指今年的这一天，"
    "这一天已过去 30 天以上则指明年；\n"
    "人员和代办人也可写姓名，如 <code>/leave 张三 12-01 12-10 李四</code>（同名时给出按钮选择）；\n"
    "<code>/leave cancel P0102</code> — 取消其进行中和将来的请假；\n"
    "<code>/leave</code> — 查看进行中和将来的请假。\n"
    "请假期间，提醒注明“代某某办理”发给代办人，逾期不向联络员和管理员升级；"
    "没有代办人时，期间的提醒暂停。联络员只能为本单位人员登记，代办人也须是本单位在册人员。"
)
_REFUSALS: dict[LeaveProblem, str] = {
    LeaveProblem.NOT_ALLOWED: "只有管理员和联络员可以登记请假。",
    LeaveProblem.UNKNOWN_PERSON: "未找到人员编码“{value}”。请核对后重试（编码见导入的“人员”表）。",
    LeaveProblem.NOT_IN_UNIT: (
        "本单位（{unit}）没有在册人员“{value}”：联络员只能为本单位在册人员登记请假。"
    ),
    LeaveProblem.INACTIVE: "{value}已停用，无需登记请假。",
    LeaveProblem.UNKNOWN_ACTING: "未找到代办人编码“{value}”。请核对后重试。",
    LeaveProblem.ACTING_NOT_IN_UNIT: (
        "本单位（{unit}）没有在册人员“{value}”：联络员只能指定本单位在册人员为代办人。"
    ),
    LeaveProblem.ACTING_INACTIVE: "代办人{value}已停用：请指定一位在册人员。",
    LeaveProblem.SAME_PERSON: (
        "代办人不能是请假人本人（{value}）。不需要代办人时，省略最后的编码即可。"
    ),
    LeaveProblem.BAD_DATE: "看不懂日期“{value}”：请写 2026-12-01，或只写月-日如 12-01。\n\n",
    LeaveProblem.BAD_ORDER: "结束日期 {ends} 早于开始日期 {starts}，请核对。",
    LeaveProblem.TOO_LONG: (
        "{starts} 至 {ends} 共 {days} 天，超过 " + str(MAX_DAYS) + " 天：请核对日期。"
    ),
    LeaveProblem.ENDED: "结束日期 {ends} 已过去：只能登记今天仍在进行或将来的请假。",
    LeaveProblem.OVERLAP: (
        "{value}已登记 {starts} 至 {ends} 的请假，与这次的日期重叠。"
        "如需改期，请先发送 <code>/leave cancel 人员编码</code> 取消，再重新登记。"
    ),
    LeaveProblem.CYCLE: (
        "{starts} 至 {ends}，代办关系 {value} 绕回了请假人本人（中间的人同期也在休假）："
        "这样提醒无人接收。请另指定一位在岗的代办人。"
    ),
    LeaveProblem.NO_LEAVE: "{value}没有进行中或将来的请假登记，无需取消。",
}


def refused(error: LeaveRefused) -> str:
    """Why /leave refused, and what to do."""
    days = (
        (error.ends_on - error.starts_on).days + 1
        if error.starts_on is not None and error.ends_on is not None
        else 0
    )
    text = _REFUSALS[error.problem].format(
        value=escape(error.value),
        unit=escape(error.unit),
        starts=f"{error.starts_on:%Y-%m-%d}" if error.starts_on else "",
        ends=f"{error.ends_on:%Y-%m-%d}" if error.ends_on else "",
        days=days,
    )
    return text + USAGE if error.problem is LeaveProblem.BAD_DATE else text


def _day(day: date, today: date) -> str:
    return (
        f"{day.month}月{day.day}日"
        if day.year == today.year
        else f"{day:%Y}年{day.month}月{day.day}日"
    )


def period(leave: LeaveView, today: date) -> str:
    """`12月1日–12月10日` (the year shown when it is not this year)."""
    return f"{_day(leave.starts_on, today)}–{_day(leave.ends_on, today)}"


def _who(name: str, code: str) -> str:
    return f"{escape(name)}（{escape(code)}）"


def _acting(leave: LeaveView) -> str:
    if leave.acting_code is None or leave.acting_name is None:
        return "无代办人，期间提醒暂停"
    return f"代办人{_who(leave.acting_name, leave.acting_code)}"


def listing(viewer: Viewer, leaves: list[LeaveView], today: date) -> str:
    """The current and future leaves the viewer may see, then the usage."""
    scope = "全区" if viewer.is_admin else escape(viewer.unit_name)
    if not leaves:
        return f"{scope}目前没有进行中或将来的请假登记。\n\n{USAGE}"
    lines = [f"📅 {scope}进行中和将来的请假（{len(leaves)} 项）："]
    for leave in leaves:
        now_on = "〔进行中〕" if leave.starts_on <= today else ""
        unit = f"，{escape(leave.unit_name)}" if viewer.is_admin else ""
        lines.append(
            f"• {escape(leave.person_name)}（{escape(leave.person_code)}{unit}）"
            f"{period(leave, today)}{now_on} · {_acting(leave)}"
        )
    return "\n".join(lines) + f"\n\n{USAGE}"


def leave_set(done: LeaveSet, today: date) -> str:
    """The confirmation to whoever registered the leave."""
    leave = done.leave
    head = (
        f"✅ 已登记：{_who(leave.person_name, leave.person_code)}"
        f"{period(leave, today)}请假，已记入审计日志。"
    )
    if leave.acting_code is None or leave.acting_name is None:
        return head + "\n未指定代办人：期间其事项的提醒暂停，逾期不向联络员和管理员升级。"
    acting = _who(leave.acting_name, leave.acting_code)
    tail = (
        "已通知代办人。"
        if done.acting_telegram_id is not None
        else "代办人尚未绑定 Telegram 账号，绑定前收不到提醒：请尽快为其生成邀请码。"
    )
    return (
        f"{head}\n期间其事项的提醒改发{acting}，并注明代谁接收；逾期不向联络员和管理员升级。" + tail
    )


def acting_note(leave: LeaveView, today: date, actor: Viewer) -> str:
    """The short note the acting person receives."""
    return (
        f"您将在{period(leave, today)}代{escape(leave.person_name)}接收履责提醒"
        f"（{escape(actor.name)}登记）。提醒会注明是代谁接收的。"
    )


def cancelled(done: LeaveCancelled, today: date) -> str:
    """The confirmation of a cancel."""
    periods = "、".join(period(leave, today) for leave in done.leaves)
    return (
        f"✅ 已取消{_who(done.person_name, done.person_code)}的请假：{periods}。"
        "提醒恢复发给本人，已记入审计日志。"
    )


def cancelled_note(leave: LeaveView, today: date) -> str:
    """What a former acting person is told when the leave is cancelled."""
    return (
        f"{escape(leave.person_name)}{period(leave, today)}的请假已取消，您不再代其接收履责提醒。"
    )
