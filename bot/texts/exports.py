"""Chinese wording of /progress (the quarter's chart), /export (the 台账) and /publicize (公示)."""

from __future__ import annotations

from html import escape

from bot.services.oversight.charts import Share
from bot.services.oversight.progress import QuarterProgress
from bot.services.plain_text import file_safe

CAPTION_LIMIT = 1024
QUARTER_NAMES = "一二三四"
PERSON_HEADING = "按人员"
ITEM_HEADING = "按事项"
ITEMS_A_LINE = 3  # 按事项 shares a caption line
CHOOSE_YEAR = "请选择导出的年度："
CHOOSE_QUARTER = "请选择导出的范围（全年或某一季度）："
WHOLE_YEAR = "全年"
EXPORTING = "正在生成台账，请稍候……"
CHOOSE_KIND = "请选择在单位群公示的内容："
KIND_LIST = "责任清单"
KIND_PROGRESS = "本季度进度"
OFFICIAL_EXPORT = (
    "导出台账由本单位联络员办理，请联系联络员。"
    "您可发送 /progress 查看本人本季度完成情况，/my 查看本人清单。"
)
OFFICIAL_PUBLICIZE = "在单位群公示由本单位联络员办理，请联系联络员。"
PREVIOUS_PAGE, NEXT_PAGE = "« 上一页", "下一页 »"
USAGE_ADMIN = "也可直接发送 <code>/{command} 单位编码</code>，例如 <code>/{command} U01</code>。"


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"


def choose_unit(command: str, page: int, pages: int) -> str:
    head = f"请选择单位（第 {page + 1}/{pages} 页）：" if pages > 1 else "请选择单位："
    return head + "\n" + USAGE_ADMIN.format(command=command)


def unknown_unit(code: str) -> str:
    return f"未找到单位编码“{escape(code)}”：请核对后重试（编码见导入的“单位”表）。"


def not_your_unit(unit_name: str) -> str:
    return f"您只能查看和导出本单位（{escape(unit_name)}）的台账。"


def chart_title(unit_name: str, progress: QuarterProgress, own: str | None = None) -> str:
    who = f"{own}（本人事项）" if own else unit_name
    return f"{who}{quarter_label(progress.year, progress.quarter)}完成情况"


def progress_filename(unit_name: str, progress: QuarterProgress, own: str | None = None) -> str:
    """城关镇-2026年第四季度进度.png (an official's own: 城关镇-李红霞-2026年第四季度进度.png)."""
    who = f"{unit_name}-{own}" if own else unit_name
    return f"{file_safe(who)}-{quarter_label(progress.year, progress.quarter)}进度.png"


def _share(share: Share) -> str:
    return f"{escape(share.label)} {share.done}/{share.total}（{share.rate:.0f}%）"


def progress_numbers(unit_name: str, progress: QuarterProgress, own: str | None = None) -> str:
    """The chart's numbers as text: the totals, then every person and every item."""
    title = escape(chart_title(unit_name, progress, own))
    lines = [
        f"📊 <b>{title}</b>（截至 {progress.today:%Y-%m-%d}）",
        f"合计：已完成 {progress.done}/{progress.total}（{progress.rate:.0f}%），"
        f"其中逾期未完成 {progress.overdue} 项",
    ]
    if progress.closed:
        lines[-1] += f"；另有 {progress.closed} 项经管理员关闭，不计入"
    lines.append(f"{PERSON_HEADING}：" + "；".join(_share(s) for s in progress.by_person))
    items = [_share(s) for s in progress.by_item]
    lines.append(f"{ITEM_HEADING}：")  # a line per few items, not one 900-character line
    lines += ["；".join(items[n : n + ITEMS_A_LINE]) for n in range(0, len(items), ITEMS_A_LINE)]
    return "\n".join(lines)


def progress_caption(text: str) -> tuple[str, str | None]:
    """(caption, follow-up): the numbers fit the 1,024-character caption, or the caption keeps
    the totals and the full numbers follow as a message."""
    if _units(text) <= CAPTION_LIMIT:
        return text, None
    head = "\n".join(text.split("\n")[:2]) + "\n（按人员、按事项的数字见下条消息）"
    return head[:CAPTION_LIMIT], text


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def no_progress(unit_name: str, progress: QuarterProgress, own: str | None = None) -> str:
    return (
        f"📊 {escape(chart_title(unit_name, progress, own))}：截至 {progress.today:%Y-%m-%d}"
        "，暂无应完成事项，无需作图。"
    )


def export_caption(unit_name: str, span: str, records: int) -> str:
    return (
        f"📎 {escape(unit_name)}{escape(span)}台账：年度工作任务清单、季度工作进展清单、"
        f"半年检查情况清单、年终考核结果清单和履责记实台账（{records} 条记实）。"
        "已设置冻结表头、列宽和打印标题，可直接打印。"
    )


def export_filename(unit_name: str, span: str) -> str:
    safe = "".join(ch for ch in unit_name if ch not in '\\/:*?"<>|')
    return f"{safe}_{span}台账.xlsx"


def too_large(size: int, limit: int) -> str:
    return (
        f"台账文件过大（{size / 1024 / 1024:.1f} MB，超过 Telegram 可发送的 "
        f"{limit // 1024 // 1024} MB）：请选择单个季度分别导出。"
    )


def no_group(unit_name: str) -> str:
    return (
        f"{escape(unit_name)}尚未绑定单位群，无法公示。请把机器人拉进单位工作群，"
        "由联络员在群里发送 /bindgroup 完成绑定，然后再发送 /publicize。"
    )


def publicized(unit_name: str, kind: str, parts: int) -> str:
    return f"✅ 已安排在{escape(unit_name)}单位群公示{kind}（{parts} 条消息），稍后送达。"


def already_publicized(unit_name: str, kind: str) -> str:
    return f"今天已在{escape(unit_name)}单位群公示过{kind}，不再重复发送。"


def group_progress(numbers: str, by: str) -> str:
    return f"📢 {numbers}\n\n（{escape(by)}发布）"
