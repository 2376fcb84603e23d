"""Wording of the copied-list check (/duplicates and the import report's 疑似照抄清单)."""

from __future__ import annotations

from html import escape

from bot.services.oversight.duplicates import DuplicatePair, HeldText, groups

NONE = "未发现疑似照抄的个性清单：同一单位不同人员的个性事项内容均不相近。"
LIMIT = 30  # groups listed in the chat; the rest are counted
NAMES = 8  # members named in a group's line; the rest are counted
CONTENT_CHARS = 24  # the example's 责任内容 is cut here


def _names(group: list[HeldText]) -> str:
    people = list(dict.fromkeys(text.person_name for text in group))
    shown = "、".join(escape(name) for name in people[:NAMES])
    more = "等" if len(people) > NAMES else ""
    return f"{shown}{more} {len(people)} 人"


def _example(pair: DuplicatePair) -> str:
    content = pair.first.content
    content = content if len(content) <= CONTENT_CHARS else content[: CONTENT_CHARS - 1] + "…"
    return (
        f"例如【{escape(pair.first.item_code)}】{escape(pair.first.person_name)} ≈ "
        f"【{escape(pair.second.item_code)}】{escape(pair.second.person_name)}"
        f" 相似度 {pair.similarity:.0%}“{escape(content)}”"
    )


def _line(number: int, group: list[HeldText], pairs: list[DuplicatePair]) -> str:
    """One group: its unit, its members, and its most alike pair as the example."""
    head, codes = group[0], {text.item_code for text in group}
    example = next(p for p in pairs if p.first.item_code in codes)  # pairs: most alike first
    return (
        f"{number}. {escape(head.unit_name)}（{escape(head.unit_code)}）"
        f"{_names(group)}，{_example(example)}"
    )


def render(pairs: list[DuplicatePair], *, threshold: float) -> str:
    """Groups of nearly identical individual items, one line each: unit, members, an example."""
    if not pairs:
        return NONE
    found = groups(pairs)
    lines = [
        f"<b>疑似照抄清单：{len(found)} 组</b>"
        f"（同一单位不同人员的个性事项，文字相似度 ≥ {threshold:.0%}）"
    ]
    lines.extend(_line(n, group, pairs) for n, group in enumerate(found[:LIMIT], start=1))
    if len(found) > LIMIT:
        lines.append(f"……另有 {len(found) - LIMIT} 组未列出。")
    lines.append("请督促相关人员结合分管领域重新制定个性清单后再次导入。")
    return "\n".join(lines)


def in_import_report(pairs: list[DuplicatePair], *, threshold: float) -> str:
    """The import report's closing part: the count and the groups, or nothing when none."""
    if not pairs:
        return ""
    return "\n\n" + render(pairs, threshold=threshold)
