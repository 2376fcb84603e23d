"""A message written as a list (lines, 1. 2., ①②, 一、二、, 一是…): its heading and its items."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Listing", "listing"]

_ENUMERATOR = (
    r"(?:\d{1,2}\s*(?:[、)）]|[.．](?!\d)|[.．](?=\d{1,2}\s*月))"  # 1. 1、 1) not 1.5 (1.12月 is)
    r"|[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[)）]"  # (1) （一）
    r"|[一二三四五六七八九十]{1,2}\s*、"  # 一、
    r"|[一二三四五六七八九十]是(?!否)"  # 一是 (but not 是否)
    r")"
)
# an enumerator opens an item at a line's start or after a space or punctuation; ①… anywhere
_ITEM = re.compile(rf"(?:(?:^|(?<=[\s;；。,，]))\s*{_ENUMERATOR}|[①-⑳])\s*")
_LINE = re.compile(r"[\r\n]+")
# a first line that only names a day or a time of day (昨天 / 12月28日： / 今天下午：) heads a list
_ONLY_WHEN = re.compile(
    r"^(?:今天|今日|昨天|昨日|前天|大前天|本周|上周|这周|上午|下午|晚上|中午|"
    r"上?(?:周|星期)[一二三四五六日天]|\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]|[\s,，:：.．])+$"
)
_COLON = (":", "：")


@dataclass(frozen=True)
class Listing:
    """A heading (本季度已完成：, 12月28日：, 今天做了两件事; "" if none) and two or more items."""

    heading: str
    items: list[str]


def _items(line: str) -> tuple[bool, list[str]]:
    """Whether the line opens with an enumerator, and its items (the enumerators removed)."""
    pieces = _ITEM.split(line)
    starts = _ITEM.match(line) is not None
    return starts, [piece.strip(" \t,，;；") for piece in pieces if piece.strip(" \t,，;；。")]


def listing(text: str) -> Listing | None:
    """The message's items when it is a list of two or more, else None. A first line ending in
    a colon, naming only a day, or unnumbered above numbered lines is the heading."""
    lines = [line.strip() for line in _LINE.split(text) if line.strip()]
    split = [_items(line) for line in lines]
    heading = ""
    if len(lines) > 1:
        first = lines[0]
        numbered_below = all(starts for starts, _ in split[1:]) and not split[0][0]
        if first.endswith(_COLON) or _ONLY_WHEN.match(first) or numbered_below:
            heading = first.rstrip(":：").strip()
            split = split[1:]
    items = [item for _, pieces in split for item in pieces]
    if len(items) < 2:
        return None
    return Listing(heading=heading, items=items)
