"""Chinese wording of the lists (/my, /unit) and of closing a due item (re-exported by bot.texts)."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.services.calendar.periods import Period, period_name
from bot.services.directory.identity import Viewer
from bot.services.errors import CloseProblem
from bot.services.ledger.closing import Closed
from bot.services.ledger.outstanding import OutstandingItem
from bot.services.ledger.status import DueLine, Ledger, Status
from bot.texts.paging import SCREEN_LINES, clamp, cut, page_mark
from storage.models import DutyType

# Overdue is ⚠️, not 🔴: bot.telegram.notifier splits by Python characters while Telegram counts UTF-16
# units, and a long list of astral-plane marks (🔴) would overrun the 4096 limit.
STATUS_MARK = {
    Status.DONE: "✅",
    Status.CLOSED: "⚪",
    Status.OVERDUE: "⚠️",
    Status.DUE_SOON: "⏰",
    Status.OPEN: "⏳",
}

CLOSE_USAGE = (
    "用法：<code>/close 人员编码 事项编码 周期 原因</code>，例如\n"
    "<code>/close P0101 C04 2026 该同志已于年中调离，本年度党课由继任者补讲</code>\n"
    "周期写法：年度 2026，半年 2026-H1 / 2026-H2，季度 2026-Q4，月份 2026-11，一次性 once。"
    "单位班子事项写单位编码（如 U01）或该单位第一责任人的编码。原因必填，将记入审计日志。\n"
    "发送 <code>/close 人员编码</code> 可查看此人（含其单位班子）全部未完成事项。"
)
CLOSE_PROBLEMS = {
    CloseProblem.UNKNOWN_HOLDER: "未找到人员或单位编码“{value}”：请核对后重试。",
    CloseProblem.UNKNOWN_ITEM: "未找到事项编码“{value}”：请核对后重试（编码见责任清单）。",
    CloseProblem.BAD_PERIOD: "看不懂周期“{value}”：年度写 2026，半年写 2026-H1，"
    "季度写 2026-Q4，月份写 2026-11，一次性事项写 once。",
    CloseProblem.NOT_HELD: "{holder}不负责事项【{value}】（或该事项已停用），无需关闭。",
    CloseProblem.NO_DUE_ITEM: "{holder}的事项【{value}】在该周期没有待办，无需关闭。"
    "发送 <code>/close 人员编码</code> 可查看其未完成事项。",
    CloseProblem.NO_REASON: "请写明关闭{holder}事项【{value}】的原因："
    "<code>/close 人员编码 事项编码 周期 原因</code>。原因必填，将记入审计日志。",
    CloseProblem.ALREADY_DONE: "{holder}的事项【{value}】该周期已有履责记实，无需关闭。",
    CloseProblem.ALREADY_CLOSED: "{holder}的事项【{value}】该周期已于 {detail} 关闭，无需重复操作。",
}


def period_label(period: Period) -> str:
    """2026年第四季度 … (bot.services.calendar.periods.period_name, as the workbooks say it)."""
    return period_name(period)


def _month_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


@functools.lru_cache(maxsize=4096)  # a run words 80,000 lines with a few hundred dates
def due_label(due: date, nominal: date) -> str:
    """The due date as every list and message shows it: 2026-10-08（10月1日逢节假日顺延）.

    `due` is the effective date; when 顺延 moved it, the nominal date and why are said too:
    逢周末 when only Saturday and Sunday lay in between, else 逢节假日.
    """
    if due == nominal:
        return f"{due:%Y-%m-%d}"
    skipped = (nominal + timedelta(days=n) for n in range((due - nominal).days))
    why = "节假日" if any(day.weekday() < 5 for day in skipped) else "周末"
    return f"{due:%Y-%m-%d}（{_month_day(nominal)}逢{why}顺延）"


def _due_words(line: DueLine) -> str:
    if line.status is Status.DONE and line.done_on:
        return f"✅ {line.done_on:%m-%d} 已记实"
    if line.status is Status.CLOSED:
        return f"已关闭（{escape(line.closed_reason or '')}）"
    if line.status is Status.OVERDUE:
        return f"已逾期 {-line.days_left} 天"
    if line.days_left == 0:
        return "今天到期"
    return f"还剩 {line.days_left} 天"


def line_block(line: DueLine, *, with_holder: bool) -> str:
    """One due line as the lists show it: mark, code, content (holder), then period and due."""
    holder = ""
    if with_holder:
        holder = "（单位班子）" if line.unit_team else f"（{escape(line.holder_name or '')}）"
    elif line.unit_team:
        holder = "（单位班子）"
    return (
        f"{STATUS_MARK[line.status]}【{escape(line.item_code)}】{escape(line.content)}{holder}\n"
        f"    {period_label(line.period)} · 截止 {due_label(line.due, line.nominal)} · {_due_words(line)}"
    )


def summary(ledger: Ledger) -> str:
    """截至 …，共 N 项：✅ 已完成 … (and a second line when earlier periods are still open)."""
    text = (
        f"截至 {ledger.today:%Y-%m-%d}，共 {len(ledger.lines)} 项："
        f"✅ 已完成 {ledger.count(Status.DONE)} · ⚠️ 已逾期 {ledger.count(Status.OVERDUE)} · "
        f"⏰ 即将到期 {ledger.count(Status.DUE_SOON)} · ⏳ 待完成 {ledger.count(Status.OPEN)}"
    )
    if ledger.count(Status.CLOSED):
        text += f" · ⚪ 已关闭 {ledger.count(Status.CLOSED)}"
    if ledger.earlier:
        text += f"\n（含往期未完成 {ledger.earlier} 项，记实或经管理员关闭前一直列出）"
    return text


def _ledger_body(ledger: Ledger, *, with_holder: bool) -> list[str]:
    out = [summary(ledger)]
    for duty in DutyType:
        lines = [line for line in ledger.lines if line.duty_type is duty]
        if lines:
            out.append(f"\n<b>{duty.value}</b>")
            out += [line_block(line, with_holder=with_holder) for line in lines]
    return out


def my_list(viewer: Viewer, ledger: Ledger) -> str:
    head = f"📋 <b>{escape(viewer.name)}</b>的责任清单（{escape(viewer.unit_name)} · {escape(viewer.position)}）"
    if not ledger.lines:
        return head + "\n您名下暂无本期责任事项。如有疑问，请联系本单位联络员。"
    tail = "\n单位班子事项由第一责任人和联络员共同负责，任一人记实即可。"
    has_team = any(line.unit_team for line in ledger.lines)
    return "\n".join([head, *_ledger_body(ledger, with_holder=False)]) + (tail if has_team else "")


def unit_list(viewer: Viewer, ledger: Ledger) -> str:
    head = f"🏢 <b>{escape(viewer.unit_name)}</b>本期事项完成情况"
    if not ledger.lines:
        return head + "\n本单位暂无本期责任事项。"
    return "\n".join([head, *_ledger_body(ledger, with_holder=True)])


def close_refused(problem: CloseProblem, value: str, holder: str, detail: str) -> str:
    """Why /close refused, and what to do."""
    return CLOSE_PROBLEMS[problem].format(
        value=escape(value), holder=escape(holder), detail=escape(detail)
    )


def closed(done: Closed, zone: ZoneInfo) -> str:
    """The admin's confirmation of a closed due item."""
    late = f"，已逾期 {done.days_overdue} 天" if done.days_overdue > 0 else ""
    return (
        f"⚪ 已关闭：{escape(done.holder)}的【{escape(done.item_code)}】{escape(done.content)}\n"
        f"    {period_label(done.period)} · 截止 {due_label(done.due, done.nominal)}{late}\n"
        f"原因：{escape(done.reason)}\n"
        f"关闭时间 {_local(done.closed_at, zone)}，已记入审计日志。此项不再计入逾期和未完成。"
    )


def outstanding_of(
    holder: str, items: list[OutstandingItem], code: str, page: int = 0
) -> tuple[str, int, int]:
    """One page of a holder's outstanding items (the counts first), each with the /close line
    that would close it; with the page shown (clamped) and how many there are."""
    if not items:
        return f"{escape(holder)}目前没有未完成的事项。", 0, 1
    overdue = sum(1 for item in items if item.overdue)
    counts = f"逾期 {overdue} 项，未到期 {len(items) - overdue} 项" if overdue else "均未到期"
    blocks = [_outstanding(item, code) for item in items]
    pages = cut([("", blocks)], SCREEN_LINES - 3)
    page = clamp(page, len(pages))
    head = f"{escape(holder)}未完成的事项 {len(items)} 项（{counts}，逾期的在前）"
    head += page_mark(page, len(pages)) + "："
    return "\n".join([head, *pages[page].lines]), page, len(pages)


def _outstanding(item: OutstandingItem, code: str) -> str:
    state = f"已逾期 {item.days_overdue} 天" if item.overdue else f"还剩 {-item.days_overdue} 天"
    team = "（单位班子）" if item.unit_team else ""
    mark = STATUS_MARK[Status.OVERDUE] if item.overdue else STATUS_MARK[Status.OPEN]
    return (
        f"{mark}【{escape(item.item_code)}】{escape(item.content)}{team}\n"
        f"    {period_label(item.period)} · 截止 {due_label(item.due, item.nominal)} · {state}\n"
        f"    <code>/close {escape(code)} {escape(item.item_code)} {item.period.key} 原因</code>"
    )


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"
