"""Wording of /leave by name: the buttons when two people share a name."""

from __future__ import annotations

from html import escape

from bot.services.directory.naming import Named

PICK = "有同名人员，请选择您要登记的是哪一位："
STALE = "按钮已失效，请重新发送 /leave。"
TAKEN = "这条 /leave 已经选过了，不再重复登记。如需更改，请先 /leave cancel，再重新登记。"
MAX_BUTTON = 60


def _who(named: Named) -> str:
    extra = f"，{named.position}" if named.position else ""
    return f"{named.name}（{named.code}，{named.unit_name}{extra}）"


def pick_button(person: Named, acting: Named | None) -> str:
    """One choice: who is away and, when named, who acts (plain text: a button label)."""
    label = f"{_who(person)}请假" + (f" → 代办：{_who(acting)}" if acting else "")
    return label if len(label) <= MAX_BUTTON else label[: MAX_BUTTON - 1] + "…"


def same_name(typed: str, found: list[Named]) -> str:
    """/leave cancel with a name two people share: name them by code."""
    lines = [f"有 {len(found)} 位“{escape(typed)}”，请用人员编码取消，例如："]
    lines += [f"<code>/leave cancel {escape(n.code)}</code> — {escape(_who(n))}" for n in found]
    return "\n".join(lines)
