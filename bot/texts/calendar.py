"""Chinese wording of `python -m bot calendar import | show`: problems, the summary, a year's days."""

from __future__ import annotations

from datetime import date

from bot.services.calendar.workdays import OFFICIAL_UNTIL, CalendarDay, Source, WorkCalendar
from bot.services.errors import CalendarProblem
from bot.services.importing.overrides import FIRST_YEAR, LAST_YEAR, NOTE_LIMIT, CalendarImport

WEEKDAYS = "一二三四五六日"
FORMAT_HINT = "文件第一行须为表头“日期,类型,说明”，每行一天，例如“2027-02-05,休息,春节”；类型填 上班 或 休息。"
PROBLEMS = {
    "undecodable": "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV。",
    "bad_csv": "不是有效的 CSV 文件（{detail}）。",
    "empty_file": "文件是空的。" + FORMAT_HINT,
    "no_rows": "只有表头，没有日期行。",
    "missing_column": "缺少“{column}”列。" + FORMAT_HINT,
    "duplicate_column": "“{column}”列出现了两次。",
    "empty_date": "日期为空。",
    "bad_date": "“{value}”不是有效日期：写作 2027-02-05 或 2027/2/5。",
    "year_out_of_range": f"“{{value}}”的年份超出范围（{FIRST_YEAR}–{LAST_YEAR}）。",
    "empty_kind": "类型为空：填 上班 或 休息。",
    "bad_kind": "类型“{value}”无法识别：只能填 上班 或 休息。",
    "note_too_long": f"说明过长（“{{value}}”），最多 {NOTE_LIMIT} 字。",
    "conflicting_date": "日期“{value}”与第 {detail} 行重复且类型相反：请只保留正确的一行。",
    "whole_year_out_of_range": f"--year {{value}} 超出范围（{FIRST_YEAR}–{LAST_YEAR}）。",
    "whole_year_not_in_file": (
        "--year {value} 声明此文件是 {value} 年的全年放假安排，但文件里没有 {value} 年的日期："
        "请检查年份或文件。"
    ),
}
SOURCE_WORDS: dict[Source, str] = {
    "official": "国务院办公厅公布的放假安排（holidays 程序包内置）",
    "override": "管理员导入的全年安排",
    "estimated": "推算：仅按周末和法定节假日，没有调休（尚未导入当年放假安排）",
}
PARTIAL_YEAR = (
    "（本次导入的只是 {year} 年个别日期的调整，{year} 年的调休仍未知，仍按推算。"
    "国务院办公厅公布全年放假安排后，请把整份安排整理成 CSV，用 "
    "python -m bot calendar import 文件 --year {year} 导入。）"
)
DAY_SOURCE = {"official": "官方", "override": "导入", "estimated": "推算"}


def _where(problem: CalendarProblem) -> str:
    parts = []
    if problem.line is not None:
        parts.append(f"第 {problem.line} 行")
    if problem.column_number is not None:
        parts.append(f"第 {problem.column_number} 列（{problem.column}）")
    elif problem.column is not None and problem.code != "missing_column":
        parts.append(f"“{problem.column}”列")
    return "，".join(parts) + "：" if parts else ""


def render_problems(problems: list[CalendarProblem], *, limit: int = 100) -> str:
    """The rejection report: nothing applied, then each problem with its line and column."""
    lines = [
        f"工作日调整未导入：发现 {len(problems)} 处问题，数据库未作任何改动。请改正后重新导入。"
    ]
    for number, problem in enumerate(problems[:limit], start=1):
        words = PROBLEMS.get(problem.code, problem.code).format(
            value=problem.value, detail=problem.detail, column=problem.column or ""
        )
        lines.append(f"{number}. {_where(problem)}{words}")
    if len(problems) > limit:
        lines.append(f"……另有 {len(problems) - limit} 处问题未列出")
    return "\n".join(lines)


def render_import(done: CalendarImport) -> str:
    """What the import did, and each year's source afterwards (a year with only some days
    imported stays estimated: said so, with how to import its whole schedule)."""
    lines = [
        f"工作日调整已导入：新增 {done.added} 天，更新 {done.changed} 天，未变 {done.unchanged} 天"
        f"（上班 {done.working} 天、休息 {done.resting} 天），已记入审计日志。"
    ]
    for year, source in done.years.items():
        lines.append(f"{year} 年：{SOURCE_WORDS[source]}。")
        if source == "estimated":
            lines.append(PARTIAL_YEAR.format(year=year))
    if done.redated:
        lines.append(f"{done.redated} 条未完成的季度自查、半年报告待办的截止日期已随之更新。")
    lines.append("各清单和提醒中的截止日期（顺延）即时按新安排计算。")
    return "\n".join(lines)


def _day(day: CalendarDay) -> str:
    note = f" {day.note}" if day.note else ""
    return f"  [{DAY_SOURCE[day.source]}] {day.day:%Y-%m-%d} 周{WEEKDAYS[day.day.weekday()]}{note}"


def render_year(calendar: WorkCalendar, year: int) -> str:
    """A year's days off on weekdays, its working weekend days, and other imported days."""
    source = calendar.source(year)
    days = calendar.exceptions(year)
    off = [d for d in days if not d.working and d.day.weekday() < 5]
    on = [d for d in days if d.working and d.day.weekday() >= 5]
    other = [d for d in days if d not in off and d not in on]
    lines = [f"{year} 年工作日安排 — 来源：{SOURCE_WORDS[source]}"]
    if source == "estimated":
        lines.append(
            f"注意：程序包只知道 {OFFICIAL_UNTIL} 年及以前的官方安排。{year} 年放假安排公布后，"
            f"请用 python -m bot calendar import 文件 --year {year} 导入（CSV：日期,类型,说明）。"
        )
        if calendar.overrides_in(year):
            lines.append(f"（另有 {calendar.overrides_in(year)} 天管理员导入的个别调整）")
    elif source == "override":
        lines.append(
            f"（{year} 年已导入 {calendar.overrides_in(year)} 天的调整，其余按周末和法定节假日推算）"
        )
    lines.append(f"周一至周五休息（{len(off)} 天）：")
    lines.extend([_day(d) for d in off] or ["  无"])
    lines.append(f"周末上班（调休，{len(on)} 天）：")
    lines.extend([_day(d) for d in on] or ["  无"])
    if other:
        lines.append(f"其他导入的日期（周一至周五上班、周末休息，同平常，{len(other)} 天）：")
        lines.extend(_day(d) for d in other)
    lines.append(f"全年工作日 {_count_working(calendar, year)} 天。")
    return "\n".join(lines)


def _count_working(calendar: WorkCalendar, year: int) -> int:
    return calendar.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
