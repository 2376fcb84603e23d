"""Chinese wording of the 联络员's overdue digest and the admins' 约谈提醒 list: summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from html import escape

from bot.services.directory.recipients import Directory
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.plan import Outgoing
from bot.services.reminders.selection import UNDELIVERED, Entry
from bot.texts.ledger import due_label

UNIT_TEAM = "单位班子"
MAX_HOLDERS = 20  # holder lines in one unit's digest: with its header and hints, under 30 lines
MAX_UNITS = 24  # unit lines in the 约谈提醒 list
MAX_CODES = 4  # item codes named on one holder's line


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _late(entries: list[Entry], today: date) -> int:
    return max((today - e.due.effective).days for e in entries)


def _deadline(entries: list[Entry], today: date) -> str | None:
    """截止 2026-12-31 · 已逾期 6 天 when every entry shares one due date, else None."""
    if len({(e.due.effective, e.due.nominal) for e in entries}) != 1:
        return None
    due = entries[0].due
    return f"截止 {due_label(due.effective, due.nominal)} · 已逾期 {_late(entries, today)} 天"


def _by_holder(entries: list[Entry], directory: Directory) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        holder = entry.due.holder_id
        grouped[directory.name(holder) if holder is not None else UNIT_TEAM].append(entry)
    return grouped


def _who(holders: list[str]) -> str:
    """3 人、单位班子 / 3 人 / 单位班子: people and the 单位班子 counted apart."""
    people = len([h for h in holders if h != UNIT_TEAM])
    words = [f"{people} 人"] if people else []
    return "、".join(words + ([UNIT_TEAM] if UNIT_TEAM in holders else []))


def _codes(entries: list[Entry]) -> str:
    codes = sorted({e.due.item_code for e in entries})
    named = "".join(f"【{escape(code)}】" for code in codes[:MAX_CODES])
    return named + ("等" if len(codes) > MAX_CODES else "")


def _missed(entry: Entry, directory: Directory, unit_id: int) -> str:
    """Who a step did not reach: 陈立新, 孙志强（代 陈立新）, 河西街道 王芳 (another unit's)."""
    name = escape(directory.name(entry.missed)) or "单位班子事项的负责人"
    if entry.for_person is not None:
        name += f"（代{escape(directory.name(entry.for_person))}）"
    if entry.due.unit_id != unit_id:
        name = f"{name}（{escape(directory.units.get(entry.due.unit_id, ''))}）"
    return name


def _for_secretary(outgoing: Outgoing, unit_id: int, directory: Directory) -> str:
    """（代 刘佳 接收） when the recipient receives a unit's digest for its absent 联络员."""
    away = [
        p.name
        for p in directory.unit_secretaries(unit_id)
        if directory.on_leave(p.person_id) and p.person_id != outgoing.recipient.person_id
    ]
    return f"（代{escape('、'.join(away))}接收，其休假中）" if away else ""


def _unit_digest(entries: list[Entry], today: date, directory: Directory) -> list[str]:
    """One unit's lines: each holder's count and codes, the most overdue first; a due date all
    share is said once."""
    held = _by_holder(entries, directory)
    order = sorted(held, key=lambda h: (-_late(held[h], today), h))
    shared = _deadline(entries, today)
    first = "（最久逾期的在前）" if len(order) > 1 else ""
    also = f"，均{shared}" if shared else ""
    lines = [f"{_who(order)}，共 {len(entries)} 项{also}，请督促办理{first}："]
    for holder in order[:MAX_HOLDERS]:
        items = held[holder]
        when = (
            ""
            if shared
            else " · " + (_deadline(items, today) or f"最久已逾期 {_late(items, today)} 天")
        )
        lines.append(f"🔴 {escape(holder)} {len(items)} 项：{_codes(items)}{when}")
    if rest := order[MAX_HOLDERS:]:
        lines.append(f"……另有 {len(rest)} 个责任人 {sum(len(held[h]) for h in rest)} 项")
    return lines


def digest(outgoing: Outgoing, entries: list[Entry], today: date, directory: Directory) -> str:
    """The 联络员's summary, by unit (a stand-in may receive another unit's): who is overdue with
    how many items, then who could not be reached; the items themselves are in /unit."""
    own = outgoing.recipient.unit_id
    by_unit: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.step != UNDELIVERED:
            by_unit[entry.due.unit_id].append(entry)
    lines: list[str] = []
    days = outgoing.rules.escalate_secretary
    for unit_id in sorted(by_unit, key=lambda u: (u != own, directory.units.get(u, ""))):
        unit = escape(directory.units.get(unit_id, ""))
        lines.append(
            ("\n" if lines else "")
            + f"📋 <b>逾期事项汇总</b> · {unit}（{_md(today)}）{_for_secretary(outgoing, unit_id, directory)}"
        )
        lines.append(f"以下事项已逾期 {days} 个工作日以上：")
        lines.extend(_unit_digest(by_unit[unit_id], today, directory))
    blocked = sorted({_missed(e, directory, own) for e in entries if e.step == UNDELIVERED})
    if blocked:
        lines.append(
            ("\n" if lines else "")
            + "⚠️ 以下同志的提醒无法送达（未绑定账号、已屏蔽机器人或 Telegram 拒收）："
            + "、".join(blocked)
            + "。请当面提醒，或请管理员发新的邀请码。"
        )
    if own in by_unit:
        lines.append("发送 /unit 分页查看本单位全部事项，/pending 查看逾期明细。")
    return "\n".join(lines)


def escalation(rules: LadderRules, entries: list[Entry], today: date, directory: Directory) -> str:
    """The admins' 约谈提醒 list as a phone reads it: the totals, then one line per unit (people
    and 单位班子 apart, items, the longest overdue), the most overdue first; the people and
    their items are in /interview."""
    by_unit: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_unit[entry.due.unit_id].append(entry)
    people = {(e.due.unit_id, e.due.holder_id) for e in entries if e.due.holder_id is not None}
    teams = {e.due.unit_id for e in entries if e.due.holder_id is None}
    whom = f"{len(people)} 人" + (f"及 {len(teams)} 个单位班子" if teams else "")
    lines = [
        f"⚠️ <b>约谈提醒名单</b>（{_md(today)}，逾期 {rules.escalate_admin} 个工作日以上）",
        f"共 {len(by_unit)} 个单位、{whom}、{len(entries)} 项（最久逾期的单位在前）：",
    ]
    order = sorted(by_unit, key=lambda u: (-_late(by_unit[u], today), directory.units.get(u, "")))
    for unit_id in order[:MAX_UNITS]:
        listed = by_unit[unit_id]
        holders = list(_by_holder(listed, directory))
        lines.append(
            f"<b>{escape(directory.units.get(unit_id, ''))}</b>：{_who(holders)}，"
            f"{len(listed)} 项，最久已逾期 {_late(listed, today)} 天"
        )
    if rest := order[MAX_UNITS:]:
        lines.append(f"……另有 {len(rest)} 个单位 {sum(len(by_unit[u]) for u in rest)} 项")
    lines.append("\n发送 /interview 分页查看每人的逾期事项，确认后发出约谈提醒。")
    return "\n".join(lines)
