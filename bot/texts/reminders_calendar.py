"""The admins' once-a-year notice that a year's holiday schedule is not known yet (estimated)."""

from __future__ import annotations

from bot.services.calendar.workdays import OFFICIAL_UNTIL


def estimated_year(year: int) -> str:
    """Tell admins the year's working days are only estimated, and how to import the schedule."""
    return (
        f"📅 {year} 年放假安排尚未导入：目前暂按周末和法定节假日推算工作日，没有调休上班日，"
        "提醒日期和截止日期（逢节假日顺延）可能与实际安排不符。"
        f"（程序内置的官方安排只到 {OFFICIAL_UNTIL} 年。）\n"
        "国务院办公厅公布放假安排后，请整理成 CSV（表头：日期,类型,说明；类型填 上班 或 休息，"
        f"例如“{year}-10-01,休息,国庆节”“{year}-10-10,上班,调休”），"
        f"在服务器上运行 <code>python -m bot calendar import 文件 --year {year}</code> 导入"
        f"（--year 表示这是 {year} 年的全年安排；只导入个别日期时不加）；"
        f"<code>python -m bot calendar show {year}</code> 可查看当年安排。"
    )
