"""Items as a chart names them: the content cut short (and whose, when one person holds it)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.services.ledger.counting import DueRow
from bot.services.plain_text import strip_controls

LABEL_CHARS = 12  # legible on a phone: the chart is 880 px wide, the bars need the rest
SHORTEST_CLAUSE = 4  # a first clause shorter than this says too little on its own
_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")  # 党委（党组）→ 党委
_QUOTES = str.maketrans("", "", "“”\"‘’'「」")
_CLAUSE = re.compile(r"[，,；;：:。]")
# how often: the chart is of one quarter already (每季度至少主持召开… → 主持召开…)
_OFTEN = re.compile(
    r"^(?:每个?(?:季度|半年|年度?|月|周)(?:至少)?|年[初底末中]|季[初末]|月[初底末])"
)


def short_content(content: str, limit: int = LABEL_CHARS) -> str:
    """An item's content as a label of at most `limit` characters: its first clause (when that
    says enough), without asides, quotes and how often, cut with "…"."""
    text = "".join(strip_controls(content).split())
    text = _ASIDE.sub("", text).translate(_QUOTES) or text
    first = _CLAUSE.split(text, maxsplit=1)[0]
    if len(first) >= SHORTEST_CLAUSE:
        text = first
    text = _OFTEN.sub("", text).lstrip("，,、") or text
    text = text.rstrip("，,；;：:。")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def item_labels(rows: Iterable[DueRow], *, named: bool) -> dict[str, str]:
    """Item code → label: the short content; with `named`, an item one person holds in `rows`
    is "姓名·内容"; two items that would read alike get their codes."""
    content: dict[str, str] = {}
    holders: dict[str, set[int | None]] = {}  # person ids (None: the unit team)
    names: dict[str, str] = {}
    for row in rows:
        content[row.item_code] = row.content
        holders.setdefault(row.item_code, set()).add(row.person_id)
        names[row.item_code] = row.holder
    labels = {}
    for code, text in content.items():
        one = named and len(holders[code]) == 1 and None not in holders[code]
        labels[code] = f"{names[code]}·{short_content(text)}" if one else short_content(text)
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {
        code: f"{label}（{code}）" if seen[label] > 1 else label for code, label in labels.items()
    }
