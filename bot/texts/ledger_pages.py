"""/my and /unit as pages that fit a phone: the counts first, then the items a page at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.services.directory.identity import Viewer
from bot.services.ledger.status import DueLine, Ledger, Status
from bot.texts.ledger import STATUS_MARK, line_block, summary
from bot.texts.paging import SCREEN_LINES, Section, clamp, cut, page_mark
from storage.models import DutyType

TEXT_LINES = SCREEN_LINES - 2  # the buttons under a list take about two lines of the screen
MY_HINT = "点下方事项按钮打开事项卡片，回复卡片即可记实。"
TEAM_TAIL = "单位班子事项由第一责任人和联络员共同负责，任一人记实即可。"
DONE_TITLE = "<b>✅ 已完成</b>"
BY_PERSON = "<b>按人员</b>（⚠️ 已逾期 · ⏰ 即将到期 · ⏳ 待完成 · ✅ 已完成）"
UNIT_MORE = "点“下一页 »”查看逐项明细。"
TEAM = "单位班子"
_ORDER = (Status.OVERDUE, Status.DUE_SOON, Status.OPEN, Status.DONE, Status.CLOSED)


@dataclass(frozen=True)
class LedgerPage:
    """One page of a list: its text, the items it shows (for their buttons), where it is."""

    text: str
    shown: list[DueLine]
    page: int
    pages: int


def _finished(line: DueLine) -> bool:
    return line.status in (Status.DONE, Status.CLOSED)


def _page(
    top: list[str],
    sections: Sequence[tuple[str, list[DueLine]]],
    foot: list[str],
    page: int,
    before: int = 0,
    *,
    with_holder: bool,
) -> LedgerPage:
    """The sections cut to fit under `top` and above `foot`, counted after `before` pages of a
    summary; `page` (of these) clamped to one that exists."""
    blocks: list[Section] = [
        (title, [line_block(line, with_holder=with_holder) for line in lines])
        for title, lines in sections
        if lines
    ]
    flat = [line for _, lines in sections for line in lines]
    pages = cut(blocks, TEXT_LINES - len(top) - 1 - len(foot))
    page = clamp(page, len(pages))
    top[0] += page_mark(before + page, before + len(pages))
    text = "\n".join([*top, "", *pages[page].lines, *foot])
    shown = [flat[n] for n in pages[page].blocks]
    return LedgerPage(text, shown, before + page, before + len(pages))


def my_page(viewer: Viewer, ledger: Ledger, page: int = 0) -> LedgerPage:
    """/my: the counts, then the open items by duty first and the finished ones after them."""
    head = f"📋 <b>{escape(viewer.name)}</b>的责任清单（{escape(viewer.unit_name)} · {escape(viewer.position)}）"
    if not ledger.lines:
        return LedgerPage(
            head + "\n您名下暂无本期责任事项。如有疑问，请联系本单位联络员。", [], 0, 1
        )
    sections = [
        (
            f"<b>{duty.value}</b>",
            [x for x in ledger.lines if x.duty_type is duty and not _finished(x)],
        )
        for duty in DutyType
    ]
    sections.append((DONE_TITLE, [x for x in ledger.lines if _finished(x)]))
    foot = [TEAM_TAIL] if any(line.unit_team for line in ledger.lines) else []
    if any(line.status is not Status.CLOSED for line in ledger.lines):
        foot += ["", MY_HINT]
    top = [head, *summary(ledger).split("\n")]
    return _page(top, sections, foot, page, with_holder=False)


def _holder(line: DueLine) -> str:
    return TEAM if line.unit_team else line.holder_name or ""


def by_person(ledger: Ledger) -> list[str]:
    """孙志强 10 项：⚠️ 1 · ⏳ 6 · ✅ 3, the most overdue first."""
    counts: dict[str, Counter[Status]] = {}
    for line in ledger.lines:
        counts.setdefault(_holder(line), Counter())[line.status] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][Status.OVERDUE], -kv[1].total(), kv[0]))
    return [
        f"{escape(name)} {count.total()} 项："
        + " · ".join(f"{STATUS_MARK[s]} {count[s]}" for s in _ORDER if count[s])
        for name, count in ranked
    ]


def unit_page(viewer: Viewer, ledger: Ledger, page: int = 0) -> LedgerPage:
    """/unit: the counts and each person's on the first page(s), then every item by duty."""
    head = f"🏢 <b>{escape(viewer.unit_name)}</b>本期事项完成情况"
    if not ledger.lines:
        return LedgerPage(head + "\n本单位暂无本期责任事项。", [], 0, 1)
    top = [head, *summary(ledger).split("\n")]
    people = cut([(BY_PERSON, by_person(ledger))], TEXT_LINES - len(top) - 2)
    pages = _detail(viewer, ledger, 0, before=len(people)).pages
    page = clamp(page, pages)
    if page >= len(people):
        return _detail(viewer, ledger, page - len(people), before=len(people))
    top[0] += page_mark(page, pages)
    text = "\n".join([*top, "", *people[page].lines, UNIT_MORE])
    return LedgerPage(text, [], page, pages)


def _detail(viewer: Viewer, ledger: Ledger, page: int, *, before: int) -> LedgerPage:
    sections = [
        (f"<b>{duty.value}</b>", [x for x in ledger.lines if x.duty_type is duty])
        for duty in DutyType
    ]
    top = [f"🏢 <b>{escape(viewer.unit_name)}</b>本期事项明细"]
    return _page(top, sections, [], page, before, with_holder=True)
