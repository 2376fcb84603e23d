"""Chinese wording of 半年报告 (/report): the compiled body, the closing prompt, the .docx, the result."""

from __future__ import annotations

from html import escape

from bot.services.calendar.periods import Period
from bot.services.directory.identity import Viewer
from bot.services.errors import Stale
from bot.services.exports.report_docx import Entry, Section
from bot.services.ledger.holder_period import Done
from bot.services.ledger.selfcheck_answers import Answer
from bot.services.records.report import Compiled, ItemPart, Paper
from bot.services.records.report_lines import report_line
from bot.texts.ledger import period_label
from bot.texts.selfcheck import STATUS_WORDS
from storage.models import DutyType

BUTTON_CLOSING, BUTTON_SUBMIT, BUTTON_CANCEL = "写结束语", "提交", "取消"
# The closing prompt's first line: the reply router finds the report in it.
CLOSING_TITLE = "结束语"
NUMBERS = "一二三四五六七八九十"
CHOOSE_HALF = "📄 <b>半年报告</b>：请选择报告期（上半年的报告现在到期）。"
CLOSING_EMPTY = "结束语不能为空：请回复结束语提示，写一段总结或下一步打算。"
CLOSING_TOO_LONG = "结束语请在 {limit} 字以内（现在 {length} 字）：请精简后重新回复结束语提示。"
NO_DRAFT_CLOSING = "这份报告已结束（已提交或已取消），结束语没有保存。发送 /report 重新开始。"
STALE = {
    Stale.GONE: "这个按钮已失效（不是您的报告，或报告不存在）。请发送 /report。",
    Stale.SUBMITTED: "这份报告已经提交，不能再修改。如需更正，请发送 /report 再写一版。",
    Stale.CANCELLED: "这份报告已取消。请发送 /report 重新开始。",
    Stale.MOVED: "这个按钮已失效，请在最新的报告消息上操作。",
    Stale.UNFINISHED: "这个按钮已失效，请在最新的报告消息上操作。",
    Stale.SHIFTED: "这个按钮已失效，请在最新的报告消息上操作。",
}
_INDENT = "　　"


def title(period: Period) -> str:
    """2026年下半年履行全面从严治党责任情况报告."""
    half = "上" if period.key.endswith("H1") else "下"
    return f"{period.start.year}年{half}半年履行全面从严治党责任情况报告"


def span(period: Period) -> str:
    """报告期: 2026年7月1日至2026年12月31日."""
    start, end = period.start, period.end
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def header(viewer: Viewer, period: Period) -> list[tuple[str, str]]:
    """The docx's header lines (plain text)."""
    return [
        ("单位", viewer.unit_name),
        ("姓名", viewer.name),
        ("职务", viewer.position or "—"),
        ("报告期", span(period)),
    ]


def _done(done: Done) -> Entry:
    return Entry(report_line(done.text, done.happened_on))


def _checks(checks: list[tuple[Period, Answer]]) -> Entry:
    said = []
    for quarter, answer in checks:
        words = f"{period_label(quarter)} {STATUS_WORDS.get(answer.status, '未填')}"
        said.append(f"{words}（{answer.note}）" if answer.note else words)
    return Entry("季度自查：" + "；".join(said))


def _item_head(part: ItemPart) -> Entry:
    owner = "（单位班子）" if part.unit_team else ""
    return Entry(f"【{part.item_code}】{part.content}{owner}", item=True)


def outline(compiled: Compiled) -> list[Section]:
    """The report's structure: numbered sections of item headings and the lines under them (the
    .docx is laid out from it; `body` is its text)."""
    sections: list[tuple[str, list[Entry]]] = []
    for duty in (DutyType.MAIN, DutyType.SUPERVISION):
        entries: list[Entry] = []
        for part in compiled.items:
            if part.duty_type is not duty or not part.records:
                continue
            entries.append(_item_head(part))
            entries.extend(_done(done) for done in part.records)
            if part.missing:
                gaps = "、".join(period_label(p) for p in part.missing)
                entries.append(Entry(f"未记实的周期：{gaps}"))
            if part.checks:
                entries.append(_checks(part.checks))
        sections.append((f"履行{duty.value}情况", entries or [Entry("本期没有已记实的事项。")]))
    if compiled.other:
        sections.append(("其他履责记实", [_done(done) for done in compiled.other]))
    quarters = []
    for quarter, check in compiled.quarters:
        if check is None:
            quarters.append(Entry(f"{period_label(quarter)}：未提交"))
            continue
        counts = {s: sum(1 for a in check.answers.values() if a.status == s) for s in STATUS_WORDS}
        said = "、".join(f"{STATUS_WORDS[s]} {n} 项" for s, n in counts.items())
        quarters.append(Entry(f"{period_label(quarter)}：第 {check.version} 版，{said}"))
    sections.append(("季度自查情况", quarters))
    missing = [part for part in compiled.items if part.missing and not part.records]
    entries = []
    for part in missing:
        entries.append(_item_head(part))
        if part.checks:
            entries.append(_checks(part.checks))
    sections.append(("本期未记实事项", entries or [Entry("无：本期各项均已记实。")]))
    return [
        Section(f"{NUMBERS[number]}、{heading}", entries)
        for number, (heading, entries) in enumerate(sections)
    ]


def body(sections: list[Section]) -> str:
    """The report's body as plain text (stored, shown in the chat and sent after the .docx)."""
    out = []
    for section in sections:
        out.append(section.heading)
        out.extend(e.text if e.item else f"{_INDENT}{e.text}" for e in section.entries)
    return "\n".join(out)


def closing_prompt(paper: Paper) -> str:
    return (
        f"✏️ 半年报告结束语 · 报告单 #{paper.id}\n"
        "请直接<b>回复本消息</b>写结束语（如主要问题、下一步打算），1000 字以内；"
        "再次回复会替换之前的结束语。"
    )


def closing_too_long(limit: int, length: int) -> str:
    return CLOSING_TOO_LONG.format(limit=limit, length=length)


def file_name(viewer: Viewer, paper: Paper) -> str:
    return f"{title(paper.period)}-{viewer.name}-第{paper.version}版.docx"


def caption(paper: Paper) -> str:
    return f"📄 {escape(title(paper.period))}（第 {paper.version} 版）"


def already_submitted(paper: Paper) -> str:
    """A doubled 提交: the report was handed in already."""
    return f"这份报告已于此前提交（{escape(title(paper.period))} · 第 {paper.version} 版）。"


def cancelled(paper: Paper) -> str:
    return (
        f"已取消{period_label(paper.period)}的报告草稿（第 {paper.version} 版），没有提交任何内容。"
    )
