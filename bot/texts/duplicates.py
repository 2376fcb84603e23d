"""Wording of the copied-list check (/duplicates and the import report's 疑似照抄清单)."""

from __future__ import annotations

from html import escape

from bot.services.oversight.duplicates import DuplicatePair, HeldText, groups

NONE = "未发现疑似照抄的个性清单：同一单位不同人员的个性事项内容均不相近。"
LIMIT = 30  # groups listed in the chat; the rest are counted


def _held(text: HeldText) -> str:
    return (
        f"【{escape(text.item_code)}】{escape(text.person_name)}（{escape(text.person_code)}）"
        f"：{escape(text.content)}"
    )


def _pair(pair: DuplicatePair) -> str:
    return (
        f"  {escape(pair.first.item_code)} ≈ {escape(pair.second.item_code)} "
        f"相似度 {pair.similarity:.0%}"
    )


def render(pairs: list[DuplicatePair], *, threshold: float) -> str:
    """Groups of nearly identical individual items, unit by unit, with each pair's similarity."""
    if not pairs:
        return NONE
    found = groups(pairs)
    lines = [
        f"<b>疑似照抄清单：{len(found)} 组</b>"
        f"（同一单位不同人员的个性事项，文字相似度 ≥ {threshold:.0%}）"
    ]
    for number, group in enumerate(found[:LIMIT], start=1):
        head = group[0]
        lines.append(f"\n{number}. {escape(head.unit_name)}（{escape(head.unit_code)}）")
        lines.extend("· " + _held(text) for text in group)
        codes = {text.item_code for text in group}
        lines.extend(_pair(p) for p in pairs if p.first.item_code in codes)
    if len(found) > LIMIT:
        lines.append(f"\n……另有 {len(found) - LIMIT} 组未列出。")
    lines.append("\n请督促相关人员结合分管领域重新制定个性清单后再次导入。")
    return "\n".join(lines)


def in_import_report(pairs: list[DuplicatePair], *, threshold: float) -> str:
    """The import report's closing part: the count and the groups, or nothing when none."""
    if not pairs:
        return ""
    return "\n\n" + render(pairs, threshold=threshold)
