"""Chinese wording of /records: its pages, a record's card, and the correction prompts."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.services.records.listing import RecordPage, RecordView
from bot.texts.ledger import period_label
from bot.texts.records import HOW, month_day, shortened

NO_EVIDENCE = "这条记实没有附件。"


def corrected(old_id: int, new_id: int, what: str) -> str:
    return f"已更正{what}：新记录 #{new_id} 替代 #{old_id}（原记录保留，标为“已更正”）。"


def fix_prompt(record_id: int) -> str:
    return f"更正记实编号 #{record_id}：请<b>回复本消息</b>，写上更正后的内容。"


def late_prompt(record_id: int) -> str:
    return f"记实编号 #{record_id} 的逾期说明：请<b>回复本消息</b>，写一句逾期原因。"


def record_day_prompt(record_id: int, current: date) -> str:
    return (
        f"更正记实编号 #{record_id} 的日期（现为 {month_day(current)}）：请<b>回复本消息</b>"
        "写明实际完成的日期，如“12月28日”“昨天”。"
    )


def late_saved(record_id: int) -> str:
    return f"已补充逾期说明（新记录 #{record_id}，原记录保留）。"


def records_page(page: RecordPage, zone: ZoneInfo) -> str:
    if not page.total:
        return "您还没有履责记实。\n" + HOW
    head = f"我的履责记实（第 {page.page + 1}/{page.pages} 页，共 {page.total} 条，新的在前）"
    return "\n\n".join([head, *(_view(v, zone) for v in page.views)])


def _view(view: RecordView, zone: ZoneInfo, *, full: bool = False) -> str:
    item = f"【{escape(view.code)}】" if view.code else "（未对应事项）"
    period = f" · {period_label(view.period)}" if view.period else ""
    marks = " 📎" if view.file_id else ""
    state = ""
    if view.voided:
        state = "（已撤销）"
    elif view.corrected_by:
        state = f"（已更正 → #{view.corrected_by}）"
    text = escape(view.text if full else shortened(view.text, 60))
    lines = [
        f"<b>#{view.id}</b> {item}{period} · {month_day(view.happened_on)}{marks}{state}",
        text,
    ]
    if view.corrects_id:
        lines.append(f"更正自 #{view.corrects_id}")
    if view.late_reason:
        lines.append(f"逾期说明：{escape(view.late_reason)}")
    if full:
        if view.content:
            lines.insert(1, escape(view.content))
        lines.append(f"记录时间：{_local(view.recorded_at, zone)}")
    return "\n".join(lines)


def record_card(view: RecordView, zone: ZoneInfo) -> str:
    return "记实编号 #" + str(view.id) + "\n" + _view(view, zone, full=True)


def choose_item_for_fix(record_id: int) -> str:
    return f"记实编号 #{record_id}：请选择正确的事项："


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")
