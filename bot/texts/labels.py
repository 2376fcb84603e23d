"""Short names of items for headings and buttons: 季度自查 in words, others code plus a few words."""

from __future__ import annotations

from html import escape

from bot.services.ledger.builtin import SYSTEM_ITEMS

LABEL_CHARS = 16  # a button's code and words: one row on a phone (a period may follow)
HEADING_CHARS = 10  # words of the 责任内容 a heading quotes after its code
BUILT_IN_WORDS = {item.code: item.content.split("：", 1)[0] for item in SYSTEM_ITEMS}


def item_words(code: str, content: str = "") -> str:
    """How a heading names an item: 季度自查 / 半年报告 in words, others 【C01】 and its start
    (HTML-escaped)."""
    if code.upper() in BUILT_IN_WORDS:
        return BUILT_IN_WORDS[code.upper()]
    return f"【{escape(code)}】{escape(_cut(content, HEADING_CHARS))}"


def button_label(code: str, content: str, extra: str = "") -> str:
    """A button's text (plain, not HTML): 【C01】每季度至少主持… plus `extra` (a period)."""
    room = max(4, LABEL_CHARS - len(code) - 2)
    words = BUILT_IN_WORDS.get(code.upper()) or _cut(content, room)
    return f"【{code}】{words}{extra}"


def _cut(content: str, chars: int) -> str:
    text = " ".join(content.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"
