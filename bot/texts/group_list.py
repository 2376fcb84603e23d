"""The 责任清单 as posted into a unit's group: a summary, then each person's items, a screen a message."""

from __future__ import annotations

from collections import Counter
from html import escape

from bot.services.exports.year import YearItem
from bot.services.ledger.counting import UNIT_TEAM
from bot.texts.paging import SCREEN_LINES, cut
from storage.models import DutyType, ScopeKind

TITLE = "📢 <b>{unit}{year}年度党风廉政建设责任清单公示</b>"
PART_TITLE = "📢 <b>{unit}责任清单明细</b>（{part}/{parts}）"
HOLDER = "<b>{holder}</b>（{count} 项）"
HOLDER_AGAIN = "<b>{holder}</b>（续）"  # a person's items going on in the next part
EMPTY = "本单位暂无责任事项。"
FOLLOWS = "各责任人的事项见以下 {parts} 条消息。"


def _by_holder(items: list[YearItem]) -> dict[str, list[YearItem]]:
    """Each holder's items in the list's order; holders in the order they first appear."""
    held: dict[str, list[YearItem]] = {}
    for entry in items:
        if entry.item.system is None:
            for holder in entry.holders:
                held.setdefault(holder, []).append(entry)
    return held


def _item(entry: YearItem) -> str:
    item = entry.item
    when = f" · 时限 {escape(item.deadline)}" if item.deadline else ""
    shared = ""
    # every holder of a role item holds a copy of their own: nobody shares it
    if len(entry.holders) > 1 and item.scope_kind is not ScopeKind.ROLE:
        shared = f" · 共同责任人：{escape('、'.join(entry.holders))}"
    return (
        f"【{escape(item.code)}】{escape(item.content)}\n"
        f"    {item.duty_type.value} · {item.frequency.value}{when}{shared}"
    )


def _holders(held: dict[str, list[YearItem]]) -> str:
    people = len([holder for holder in held if holder != UNIT_TEAM])
    return f"责任人 {people} 人" + ("，另有单位班子事项" if UNIT_TEAM in held else "")


def _counts(entries: list[YearItem]) -> str:
    duty = Counter(entry.item.duty_type for entry in entries)
    return " · ".join(f"{d.value} {duty[d]}" for d in DutyType if duty[d])


def group_list(unit_name: str, year: int, items: list[YearItem], by: str) -> list[str]:
    """The messages of one 公示: who answers for how many items of which duty, then each
    holder's items, as many holders a message as fit a screen (a name repeats: 李红霞（续）)."""
    title = TITLE.format(unit=escape(unit_name), year=year)
    held = _by_holder(items)
    if not held:
        return [f"{title}\n{EMPTY}\n\n（{escape(by)}发布）"]
    listed = [entry for entry in items if entry.item.system is None]
    sections = [
        (HOLDER.format(holder=escape(holder), count=len(entries)), [_item(e) for e in entries])
        for holder, entries in held.items()
    ]
    again = [HOLDER_AGAIN.format(holder=escape(holder)) for holder in held]
    pages = cut(sections, SCREEN_LINES - 1, again)
    parts = [
        "\n".join([PART_TITLE.format(unit=escape(unit_name), part=n, parts=len(pages)), *p.lines])
        for n, p in enumerate(pages, start=1)
    ]
    people = [f"{escape(holder)} {len(e)} 项：{_counts(e)}" for holder, e in held.items()]
    summary = [
        title,
        f"共 {len(listed)} 项：{_counts(listed)}；{_holders(held)}",
        "",
        *people,
        "",
        FOLLOWS.format(parts=len(parts)),
        f"（{escape(by)}发布）",
    ]
    return ["\n".join(summary), *parts]
