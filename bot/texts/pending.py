"""Wording of /pending (pages, the unit picker), /nudge (the reminder, the report) and questions."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.ledger.builtin import RESERVED_CODES
from bot.services.ledger.outstanding import OutstandingItem
from bot.services.ledger.status import DUE_SOON_DAYS
from bot.services.oversight.nudge import Letter, Outcome, Sent
from bot.services.oversight.pending import Group, Pending, Progress, UnitRef, light
from bot.texts.labels import item_words
from bot.texts.ledger import period_label
from bot.texts.paging import SCREEN_LINES
from bot.texts.reminders import REPLY_HINT

# lines of items and names per message: the header and legend come on top, and a list cut
# short (a question's answer) says so below, so a whole message stays within a screen
PAGE_LINES = SCREEN_LINES - 3
CONTENT_CHARS = 36  # an item's 责任内容 is cut here: a page stays well under Telegram's limit

NOT_YOURS = "只能查看本单位的事项：这个按钮不属于您的单位。"
NOT_YOUR_LIST = "这个按钮不是您的清单，请发送 /pending 查看您本人的未完成事项。"
LIST_CHANGED = "列表已有变化，已按最新情况重新显示。"
# the lights as oversight.pending.light sets them, in the lines' own words (还剩 N 天)
LEGEND = "🔴 已逾期　🟡 今天到期或还剩 {soon} 天以内　⚪ 还剩 {later} 天及以上"
MORE_LINES = "……仅显示第 1 页；发送 /pending 查看全部。"
PAGE_GONE = "列表已有变化，这一页已不存在：已显示最新的第 1 页。"
UNIT_CLOSED = "您所在的单位已停用，无法查看或提醒。如有疑问请联系管理员。"
CHOOSE_CATEGORY = (
    "请选择单位类别（也可直接发送 <code>/{command} 单位编码</code>，如 /{command} U01）："
)
CHOOSE_UNIT = "请选择单位："
NO_UNITS = "该类别下没有持有责任清单事项的单位。"
OTHER_CATEGORY = "其他"
ALL_BUTTON = "全部提醒"
NOTHING_TO_NUDGE = "✅ {unit}目前没有未完成事项，无需提醒。"
NUDGE_INTRO = "{unit}有未完成事项的人员如下。点击“全部提醒”提醒所有人，或点击姓名只提醒一人（每人每天最多提醒一次）："
NUDGE_GONE = "该同志目前已没有未完成事项（或已不在本单位），无需提醒。"
ASK_ADMIN_UNIT = "请在问题里写明单位名称或编码（如“城关镇还有哪些没完成”），或选择单位："

# what a 催办 naming 季度自查 / 半年报告 says of them: no reply records them, a command opens them
SYSTEM_HINTS = {
    "BG": "【BG】半年报告请发送 /report 起草并提交。",
    "ZC": "【ZC】季度自查请发送 /selfcheck 逐项填写。",
}


def unknown_unit(code: str) -> str:
    return f"未找到单位编码“{escape(code)}”。请核对后重试，或发送 /pending 按类别选择单位。"


def own_unit_only(named: str, unit: UnitRef) -> str:
    """A 联络员 named another unit: what follows is their own."""
    return (
        f"联络员只能查看和提醒本单位：“{escape(named)}”不是您的单位，"
        f"以下是{escape(unit.name)}（{escape(unit.code)}）的情况。"
    )


def nothing_to_nudge(unit: UnitRef) -> str:
    return NOTHING_TO_NUDGE.format(unit=escape(unit.name))


def no_items(unit: UnitRef) -> str:
    return f"{escape(unit.name)}没有责任清单事项，没有可查看或提醒的内容。"


def unknown_name(name: str, unit: UnitRef | None) -> str:
    where = "本单位" if unit is None else escape(unit.name)
    return f"{where}没有名为“{escape(name)}”的人员。请核对姓名后重试。"


def not_own_name(name: str) -> str:
    return f"您只能查看本人的事项，不能查看{escape(name)}的。发送 /pending 查看您本人的未完成事项。"


def ambiguous_name(name: str) -> str:
    return (
        f"全区有多名“{escape(name)}”，请在问题里写明单位名称（如“城关镇{escape(name)}还差什么”）。"
    )


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _content(text: str) -> str:
    return escape(text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…")


def _when(item: OutstandingItem) -> str:
    if item.overdue:
        return f"已逾期 {item.days_overdue} 天"
    if item.days_overdue == 0:
        return "今天到期"
    return f"还剩 {-item.days_overdue} 天"


def item_line(item: OutstandingItem) -> str:
    """🔴【C01】每季度至少主持…（2026年第四季度）· 已逾期 3 天"""
    period = period_label(item.period)
    return f"{light(item)}【{escape(item.item_code)}】{_content(item.content)}（{period}）· {_when(item)}"


def _group_line(group: Group, more: bool) -> str:
    overdue = f"，逾期 {group.overdue} 项" if group.overdue else ""
    tail = "（续）" if more else f"（{len(group.items)} 项{overdue}）"
    return f"<b>{escape(group.holder)}</b>{tail}"


def page_lines(pending: Pending) -> list[list[str]]:
    """The list cut into pages of at most PAGE_LINES lines; a name repeats where it continues."""
    pages: list[list[str]] = []
    page: list[str] = []
    for group in pending.groups:
        first = True
        for item in group.items:
            if len(page) + (2 if first else 1) > PAGE_LINES:
                pages.append(page)
                page = []
            if not page or first:
                page.append(_group_line(group, more=not first))
            page.append(item_line(item))
            first = False
    if page:
        pages.append(page)
    return pages


def pending_page(
    pending: Pending, lines: list[str], page: int, pages: int, who: str | None = None
) -> str:
    """One page: the header (unit or person, totals, page n/m), then its lines."""
    if who is None:
        who = "您本人" if pending.person_id is not None else pending.unit.name
    who = escape(who)
    if pending.total == 0:
        return f"✅ {who}目前没有未完成事项（{_md(pending.today)}）。"
    head = f"📋 <b>{who}未完成事项</b>（截至 {_md(pending.today)}）共 {pending.total} 项"
    head += f"，其中逾期 {pending.overdue} 项" if pending.overdue else ""
    if pages > 1:
        head += f" · 第 {page + 1}/{pages} 页"
    legend = LEGEND.format(soon=DUE_SOON_DAYS, later=DUE_SOON_DAYS + 1)
    return "\n".join([head, legend, *lines])


def who_missing(pending: Pending, codes: list[str]) -> str:
    """谁还没交季度自查: the people who still owe the named items."""
    contents = {item.item_code: item.content for group in pending.groups for item in group.items}
    named = "、".join(item_words(code, contents.get(code, "")) for code in codes)
    if pending.total == 0:
        return f"✅ {escape(pending.unit.name)}的{named}目前都已完成（或无需办理）。"
    people = len(pending.groups)
    count = f"共 {people} 人" + (f"，{pending.total} 项" if pending.total > people else "")
    lines = [f"📋 {escape(pending.unit.name)}尚未完成{named}的（{count}）："]
    for group in pending.groups:
        worst = group.items[0]  # the most pressing first: its light alone, not one an item
        marks = light(worst)
        several = f"（{len(group.items)} 项）" if len(group.items) > 1 else ""
        when = f"{period_label(worst.period)} · {_when(worst)}"
        lines.append(f"{marks} <b>{escape(group.holder)}</b>{several} · {when}")
    return "\n".join(lines)


def progress(scope: str, found: Progress) -> str:
    """本季度完成得怎么样: recorded / due this quarter."""
    quarter = f"{found.quarter[:4]}年第{'一二三四'[int(found.quarter[-1]) - 1]}季度"
    if found.total == 0:
        return f"{escape(scope)}{quarter}没有到期事项。"
    rate = round(100 * found.done / found.total)
    open_items = found.total - found.done
    text = (
        f"📊 {escape(scope)}{quarter}到期事项 {found.total} 项：已完成 {found.done} 项（{rate}%），"
        f"未完成 {open_items} 项"
    )
    text += f"（其中已逾期 {found.overdue} 项）" if found.overdue else ""
    text += f"，已关闭 {found.closed} 项" if found.closed else ""
    return text + "。发送 /pending 查看未完成事项明细。"


def choose_category(command: str) -> str:
    return CHOOSE_CATEGORY.format(command=command)


def nudge_choices(pending: Pending) -> str:
    return NUDGE_INTRO.format(unit=escape(pending.unit.name))


def nudge_letter(letter: Letter, today: date) -> str:
    """The reminder a person receives (or whoever acts for them while they are on leave)."""
    target = letter.target
    lines = [f"🔔 <b>催办提醒</b>（{_md(today)}）"]
    behalf = f"受{escape(letter.unit_name)}委托，履责助手提醒"
    if letter.acting:
        lines.append(
            f"{escape(letter.to_name)}同志：{escape(target.name)}同志休假中，由您代为办理。"
            f"{behalf}，以下事项尚未完成："
        )
    else:
        lines.append(f"{escape(target.name)}同志：{behalf}您，以下事项尚未完成：")
    lines.extend(item_line(item) for item in target.items[:PAGE_LINES])
    if len(target.items) > PAGE_LINES:
        lines.append(f"……另有 {len(target.items) - PAGE_LINES} 项，发送 /pending 查看全部。")
    codes = {item.item_code for item in target.items}
    if (
        codes - RESERVED_CODES
    ):  # a reply records an item; 季度自查 / 半年报告 are handed in by command
        lines.append(REPLY_HINT)
    lines.extend(SYSTEM_HINTS[code] for code in sorted(codes & RESERVED_CODES))
    lines.append(f"如有疑问，请联系本单位联络员{escape(letter.sender_name)}。")
    return "\n".join(lines)


_REPORT = {
    Sent.SENT: "✅ 已提醒",
    Sent.ALREADY: "⏸ 今天已提醒过",
    Sent.UNREACHABLE: "⚠️ 无法送达（已屏蔽机器人），请当面提醒",
    Sent.UNBOUND: "⚠️ 未绑定账号，请当面提醒或请管理员发邀请码",
    Sent.ON_LEAVE: "🏖 休假中且无代办人，未提醒",
}


def nudge_report(unit: UnitRef, outcomes: list[Outcome]) -> str:
    """Who was reminded, who already today, who could not be reached."""
    if not outcomes:
        return nothing_to_nudge(unit)
    lines = [f"📨 <b>{escape(unit.name)}催办结果</b>"]
    for sent in Sent:
        for outcome in (o for o in outcomes if o.sent is sent):
            acting = _acting(outcome)
            lines.append(f"{escape(outcome.name)}（{outcome.items} 项）：{_REPORT[sent]}{acting}")
    if any(o.sent is Sent.SENT for o in outcomes):
        lines.append("提醒将在几分钟内送达；对方回复提醒消息即可记入履责记实。")
    return "\n".join(lines)


def _acting(outcome: Outcome) -> str:
    if outcome.acting_name is None:
        return ""
    if outcome.sent in (Sent.SENT, Sent.ALREADY):
        return f"（休假中，由代办人{escape(outcome.acting_name)}接收）"
    return f"（休假中，代办人{escape(outcome.acting_name)}）"
