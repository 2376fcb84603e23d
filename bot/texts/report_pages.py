"""半年报告 in the chat a screen at a time: a summary first (counts, gaps), the body in pages."""

from __future__ import annotations

import re
from html import escape

from bot.services.directory.identity import Viewer
from bot.services.records.report import Compiled, ItemPart, Paper
from bot.texts.ledger import period_label
from bot.texts.paging import CONTINUED, SCREEN_LINES, Section, cut, page_mark
from bot.texts.report import CLOSING_TITLE, span, title
from storage.models import DraftState, DutyType

TEXT_LINES = SCREEN_LINES - 3  # under a page: 写结束语 / 提交 / 取消 and « 上一页 / 下一页 »
MAX_CODES = 8  # item codes named on one summary line
CLOSING_SHOWN = 80  # characters of the closing the summary shows
NOT_WRITTEN = "（尚未填写，可点“写结束语”补充）"
BODY_PAGES = "正文共 {pages} 页（逐项记实、自查答复），点“下一页 »”逐页查看。"
DRAFT_HINT = "核对无误请点“提交”：提交后生成 Word 文档并记入履责记实。"
DOCX_TOO = "Word 文档见上一条消息。"
_HEADING = re.compile("^[一二三四五六七八九十]、")  # a section of `texts.report.body`


def _codes(parts: list[ItemPart]) -> str:
    codes = "".join(f"【{escape(part.item_code)}】" for part in parts[:MAX_CODES])
    return codes + ("等" if len(parts) > MAX_CODES else "")


def counts(compiled: Compiled) -> list[str]:
    """一、主体责任：7 项有记实，共 14 条 … and what is missing, one line each."""
    lines = []
    for number, duty in (("一", DutyType.MAIN), ("二", DutyType.SUPERVISION)):
        done = [p for p in compiled.items if p.duty_type is duty and p.records]
        records = sum(len(p.records) for p in done)
        said = f"{len(done)} 项有记实，共 {records} 条" if done else "本期没有已记实的事项"
        lines.append(f"{number}、{duty.value}：{said}")
    if compiled.other:
        lines.append(f"其他履责记实：{len(compiled.other)} 条")
    checks = [
        f"{period_label(quarter)} " + (f"第 {check.version} 版" if check else "未提交")
        for quarter, check in compiled.quarters
    ]
    lines.append("三、季度自查：" + ("；".join(checks) or "本期无"))
    whole = [p for p in compiled.items if p.missing and not p.records]
    partly = [p for p in compiled.items if p.missing and p.records]
    gaps = []
    if whole:
        gaps.append(f"{len(whole)} 项整期未记实 {_codes(whole)}")
    if partly:
        gaps.append(f"{len(partly)} 项部分周期未记实 {_codes(partly)}")
    lines.append("四、未记实：" + ("；".join(gaps) or "无，本期各项均已记实"))
    return lines


def _closing(paper: Paper) -> str:
    if not paper.closing:
        return NOT_WRITTEN if paper.state is DraftState.DRAFT else "（未填写）"
    short = " ".join(paper.closing.split())
    if len(short) <= CLOSING_SHOWN and "\n" not in paper.closing:
        return escape(short)
    return escape(short[:CLOSING_SHOWN]) + "……（全文见正文末页）"


def draft_summary(paper: Paper, compiled: Compiled, pages: int, *, resumed: bool) -> str:
    """The draft as it opens: what it says in counts, the closing, and how to go on."""
    head = "继续未提交的半年报告草稿" if resumed else "半年报告草稿"
    return "\n".join(
        [
            f"📄 <b>{head}</b> · {title(paper.period)}（第 {paper.version} 版）",
            f"报告期：{span(paper.period)}",
            *counts(compiled),
            "",
            f"<b>{CLOSING_TITLE}</b>：{_closing(paper)}",
            "",
            BODY_PAGES.format(pages=pages),
            DRAFT_HINT,
        ]
    )


def submitted_summary(viewer: Viewer, paper: Paper, compiled: Compiled, pages: int) -> str:
    """The submitted report after its .docx: who, when, the counts; the text behind pages."""
    return "\n".join(
        [
            f"✅ 已提交《{escape(title(paper.period))}》（第 {paper.version} 版），"
            "已记入履责记实：【BG】半年报告。",
            f"单位：{escape(viewer.unit_name)}　姓名：{escape(viewer.name)}　"
            f"职务：{escape(viewer.position or '—')}",
            f"报告期：{span(paper.period)}",
            *counts(compiled),
            "",
            f"<b>{CLOSING_TITLE}</b>：{_closing(paper)}",
            "",
            DOCX_TOO + BODY_PAGES.format(pages=pages),
        ]
    )


def _sections(body: str, closing: str) -> list[tuple[str, list[list[str]]]]:
    """The body's text (as `texts.report.body` wrote it, maybe stored long ago) in sections of
    blocks, for cutting into pages only: a line 一、… starts a section, a line 【…】 an item's
    block, and the lines under an item stay with it; the closing is the last section."""
    sections: list[tuple[str, list[list[str]]]] = []
    for line in body.split("\n"):
        if _HEADING.match(line):
            sections.append((line, []))
            continue
        if not sections:
            sections.append(("", []))
        blocks = sections[-1][1]
        if line.startswith("【") or not blocks or not blocks[-1][0].startswith("【"):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    if closing:
        sections.append((CLOSING_TITLE, [[line] for line in closing.split("\n")]))
    return sections


def body_pages(body: str, closing: str) -> list[list[str]]:
    """The lines (HTML) of each page of the body and the closing: the sections' titles bold and
    repeated, marked （续）, where a section goes on; an item too long for a page goes on the
    same way under its heading."""
    room = TEXT_LINES - 3  # a page's head, the section's title, an item's heading going on
    sections: list[Section] = []
    again: list[str] = []
    for heading, blocks in _sections(body, closing):
        pieces = []
        for block in blocks:
            for start in range(0, len(block), room):
                more = [block[0] + CONTINUED] if start and block[0].startswith("【") else []
                pieces.append(
                    "\n".join(escape(line) for line in more + block[start : start + room])
                )
        sections.append((f"<b>{escape(heading)}</b>" if heading else "", pieces))
        again.append(f"<b>{escape(heading)}{CONTINUED}</b>" if heading else "")
    pages = cut(sections, TEXT_LINES - 1, again)
    return [page.lines for page in pages] or [[""]]


def body_page(paper: Paper, lines: list[str], page: int, pages: int) -> str:
    """One page of the body: which report, which page, its lines."""
    what = "半年报告草稿正文" if paper.state is DraftState.DRAFT else "已提交的半年报告正文"
    head = f"📄 <b>{what}</b> · {period_label(paper.period)}（第 {paper.version} 版）"
    return "\n".join([head + page_mark(page, pages), *lines])
