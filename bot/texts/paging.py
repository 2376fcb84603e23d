"""Cutting a long answer into pages that fit a phone's screen, and the pager's words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SCREEN_LINES = 30  # a phone shows about this many lines: no message is longer
PREVIOUS = "« 上一页"
NEXT = "下一页 »"
NOT_YOUR_PAGE = "这个翻页按钮不是发给您的：请自己发送命令查看。"
PAGE_GONE = "列表已有变化，没有这一页了：已显示最新的第 {page} 页。"
CONTINUED = "（续）"

Section = tuple[str, Sequence[str]]  # a title line ("": none) and its blocks


@dataclass
class Page:
    """One page's lines, and which blocks it shows (their places in the sections, counted on)."""

    lines: list[str] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)


def cut(
    sections: Sequence[Section], room: int, continued: Sequence[str] | None = None
) -> list[Page]:
    """Sections in pages of at most `room` lines: a block (one or more lines) is never split,
    and a section's title repeats on a page where the section goes on: as `continued` says it
    (one title a section), or else marked （续）."""
    pages: list[Page] = []
    page, number = Page(), 0
    for s, (title, blocks) in enumerate(sections):
        again = continued[s] if continued is not None else title + CONTINUED
        shown = False  # the title is on the current page
        for n, block in enumerate(blocks):
            lines = block.split("\n")
            head = [again if n else title] if title and not shown else []
            if page.lines and len(page.lines) + len(head) + len(lines) > room:
                pages.append(page)
                page = Page()
                head = [again if n else title] if title else []
            page.lines += head + lines
            page.blocks.append(number)
            number, shown = number + 1, True
    if page.lines:
        pages.append(page)
    return pages


def clamp(page: int, pages: int) -> int:
    """A page number from a button, however old or forged, made one that exists."""
    return min(max(page, 0), max(pages - 1, 0))


def page_mark(page: int, pages: int) -> str:
    """· 第 2/3 页 (nothing when there is one page)."""
    return f" · 第 {page + 1}/{pages} 页" if pages > 1 else ""


def page_gone(page: int) -> str:
    return PAGE_GONE.format(page=page + 1)
