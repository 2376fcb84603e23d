"""Chinese wording of 约谈提醒 (/interview): who is past the admin escalation, the formal notice."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.services.oversight.interviews import Case, Outcome
from bot.texts.ledger import due_label, period_label

ITEMS_SHOWN = 15  # in one formal notice (keeps it well inside one message)
PAGE = 10  # people per page of the list, each with its button
CONFIRM_NAMES = 30  # named in a confirmation
ONE_LABEL = "发送约谈提醒 · {name}"
ALL_LABEL = "全部发送（{n} 人）"
GO_LABEL = "确认发送（{n} 人）"
NO_LABEL = "取消"
CANCELLED = "已取消，未发送约谈提醒。"
NOT_LISTED = "此人目前没有逾期超过规定期限的事项，无需约谈提醒。请重新发送 /interview。"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def pages(cases: list[Case]) -> int:
    return max(1, -(-len(cases) // PAGE))


def page_of(cases: list[Case], page: int) -> list[Case]:
    return cases[page * PAGE : (page + 1) * PAGE]


def moves(page: int, total: int) -> list[tuple[int, str]]:
    """The page buttons: (page, label) for the pages next to this one."""
    nav = [(page - 1, "◀ 上一页"), (page + 1, "下一页 ▶")]
    return [(p, label) for p, label in nav if 0 <= p < total]


def listing(cases: list[Case], escalate_admin: int, page: int = 0) -> str:
    if not cases:
        return f"目前没有逾期超过 {escalate_admin} 个工作日的事项，无需约谈提醒。"
    lines = [
        f"<b>约谈提醒</b>：逾期超过 {escalate_admin} 个工作日仍未完成的人员（{len(cases)} 人）",
    ]
    if pages(cases) > 1:
        lines[0] += f" · 第 {page + 1}/{pages(cases)} 页"
    for case in page_of(cases, page):
        lines.append(
            f"{escape(case.name)}（{escape(case.unit_name)}）{len(case.items)} 项，"
            f"最长逾期 {case.worst} 天"
        )
    lines.append("点按钮向其发送正式约谈提醒（先确认；每人每天至多一次，记入审计日志）。")
    return "\n".join(lines)


def on_leave(until: date) -> str:
    """A person's button while they are away: the ladder (and the 约谈提醒) waits for them."""
    return (
        f"此人正在休假（至{until.year}年{_md(until)}），休假期间不发送约谈提醒；"
        "返岗后仍逾期的，会再列入名单。"
    )


def all_sent_today(chosen: list[Case]) -> str:
    """Everyone a button names already had their 约谈提醒 today: nothing is asked."""
    names = "、".join(escape(c.name) for c in chosen[:CONFIRM_NAMES])
    if len(chosen) > CONFIRM_NAMES:
        names += f"等 {len(chosen)} 人"
    every = "都" if len(chosen) > 1 else ""
    return f"{names}今天{every}已发送过约谈提醒，不再重复。"


def confirm(chosen: list[Case], changed: bool, earlier: int = 0) -> str:
    """The question before anything formal goes out: to whom, how many (only those not yet
    reminded today; `earlier` more were, and are left out)."""
    names = "、".join(f"{escape(c.name)}（{escape(c.unit_name)}）" for c in chosen[:CONFIRM_NAMES])
    if len(chosen) > CONFIRM_NAMES:
        names += "等"
    head = "名单已有变化，请重新确认。\n" if changed else ""
    skipped = f"（另有 {earlier} 人今天已发送过，不再重复。）\n" if earlier else ""
    return (
        f"{head}确认向以下 {len(chosen)} 人发送<b>正式约谈提醒</b>？\n{names}\n{skipped}"
        "发送后本人收到约谈提醒（须点“已阅”），并记入审计日志，不能撤回。"
    )


def formal(case: Case, today: date, escalate_admin: int) -> str:
    """The formal notice one person receives (with the 已阅 button)."""
    lines = [
        "<b>⚠️ 约谈提醒</b>",
        f"{escape(case.name)}同志：",
        f"截至{_md(today)}，您有以下 {len(case.items)} 项党风廉政建设责任事项逾期超过 "
        f"{escalate_admin} 个工作日仍未完成（未见履责记实）：",
    ]
    for number, item in enumerate(case.items[:ITEMS_SHOWN], 1):
        content = item.content if len(item.content) <= 60 else item.content[:60] + "……"
        team = "（单位班子）" if item.unit_team else ""
        lines.append(
            f"{number}. 【{escape(item.item_code)}】{escape(content)}{team}"
            f"（{period_label(item.period)}），截止 {due_label(item.due, item.nominal)}，"
            f"已逾期 {item.days_overdue} 天"
        )
    if len(case.items) > ITEMS_SHOWN:
        lines.append(f"……等共 {len(case.items)} 项，发送 /my 查看全部")
    lines += [
        "",
        "请于三个工作日内向区纪委监委书面说明情况，并抓紧落实、及时补录履责记实。",
        "—— 区纪委监委。阅读后请点击“已阅”。",
    ]
    return "\n".join(lines)


def outcome(result: Outcome) -> str:
    parts = []
    if result.sent:
        names = "、".join(escape(c.name) for c in result.sent)
        parts.append(f"已向 {len(result.sent)} 人发送约谈提醒：{names}。已记入审计日志。")
    if result.earlier:
        names = "、".join(escape(c.name) for c in result.earlier)
        parts.append(f"{names}今天已发送过约谈提醒，不再重复。")
    if result.unbound:
        names = "、".join(escape(c.name) for c in result.unbound)
        parts.append(f"{names}未绑定 Telegram，无法发送，请电话联系。")
    if result.away:
        names = "、".join(escape(c.name) for c in result.away)
        parts.append(f"{names}正在休假，未发送；返岗后仍逾期的，会再列入名单。")
    return "\n".join(parts) or "没有发送任何约谈提醒。"
