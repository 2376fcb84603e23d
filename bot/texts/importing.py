"""Chinese wording of import problems, progress and summaries (re-exported by bot.texts)."""

from __future__ import annotations

from html import escape

from bot.services.errors import ImportProblem
from bot.services.importing.plan import ImportSummary, KindCounts

# {value}: the offending text; {detail}: the extra fact the problem carries
PROBLEM_TEMPLATES: dict[str, str] = {
    "missing_file": "缺少此文件（需要 units.csv、people.csv、items.csv 三个文件，"
    "或一个 XLSX 工作簿）",
    "not_workbook": "不是有效的 XLSX 工作簿（请用 Excel 或 WPS 另存为 .xlsx 后重新发送）",
    "missing_sheet": "缺少工作表“{value}”（当前工作表：{detail}；"
    "请按“单位”“人员”“责任清单”命名工作表）",
    "undecodable": "无法识别文件编码（请另存为“CSV UTF-8”格式后重新导入）",
    "bad_csv": "CSV 格式有误：{detail}（请用 Excel 或 WPS 重新另存为 CSV）",
    "empty_file": "文件为空（第 1 行应为表头）",
    "no_rows": "只有表头，没有数据行（请至少填写一行）",
    "missing_column": "缺少此列（请按模板补上该列表头，列的顺序不限）",
    "duplicate_column": "表头“{value}”出现了不止一次（请删除重复的列）",
    "unknown_column": "未知的列“{value}”，已忽略（如是笔误请改正表头）",
    "empty": "不能为空（请填写）",
    "too_long": "内容过长（最多 {detail} 个字，当前以“{value}”开头；请精简）",
    "name_has_controls": "名称“{value}”含有换行、制表符等控制字符（常见于从 Word 粘贴；"
    "请删去后重新输入，名称只能是一行文字）",
    "code_has_space": "编码 {value} 含有空格或分隔符（编码只能是连续的字母、数字等，请删去空格）",
    "duplicate_code": "编码 {value} 重复（第 {detail} 行已使用；每个编码只能出现一次）",
    "reserved_code": "事项编码 {value} 由机器人自用（ZC 季度自查、BG 半年报告、JB 开头的交办事项），请换一个编码",
    "bad_choice": "“{value}”不是有效取值（可填：{detail}）",
    "unknown_unit": "未知单位编码 {value}（请先在“单位”表中添加该单位，或改正编码）",
    "parent_self": "上级单位不能是本单位 {value}（请留空或填写另一个单位的编码）",
    "parent_cycle": "上级单位形成循环：{detail}（请改正其中一个单位的上级单位编码）",
    "unknown_role": "未知责任角色“{value}”（可填：{detail}，多个角色用“、”分隔）",
    "bad_telegram_id": "“{value}”不是有效的 Telegram 用户 ID（应为正整数，可留空）",
    "duplicate_telegram_id": "Telegram 用户 ID {value} 重复（第 {detail} 行已使用；"
    "一个账号只能绑定一人）",
    "telegram_id_taken": "Telegram 用户 ID {value} 已绑定人员 {detail}，而 {detail} 仍在本次人员表中"
    "（一个账号只能绑定一人。要改绑给本行人员：请管理员先发送 /unbind {detail} "
    "或运行 python -m bot unbind {detail} 解除其绑定，再重新导入；若 {detail} 已离任，"
    "从人员表删去其行，绑定会随导入转给本行人员；否则请改正 ID）",
    "scope_role_holds_nothing": "“{value}”不持有责任事项（适用范围可填：第一责任人、班子成员、"
    "纪检负责人、单位班子，或一个人员编码）",
    "scope_person_holds_nothing": "人员 {value} 的责任角色只有“{detail}”，不持有责任事项，"
    "此项导入后将无人可见（请改填一位第一责任人、班子成员或纪检负责人的人员编码，"
    "或在“人员”表中为 {value} 加上这类角色）",
    "unknown_scope": "“{value}”既不是可用的角色也不是已有的人员编码（请填写第一责任人、班子成员、"
    "纪检负责人、单位班子，或“人员”表中的人员编码）",
    "deadline_bad_format": "完成时限“{value}”格式不对（每年的事项填 MM-DD 如 03-31，"
    "一次性事项填 YYYY-MM-DD，其他频次留空）",
    "deadline_no_such_day": "完成时限“{value}”不是真实存在的日期（请检查月份和日期）",
    "deadline_once_needs_date": "频次为“{detail}”的事项须填写完整日期 YYYY-MM-DD"
    "（当前：“{value}”）",
    "deadline_full_date_only_once": "完成日期“{value}”只适用于一次性事项（频次“{detail}”"
    "请填 MM-DD 或留空）",
    "deadline_month_day_only_yearly": "“{value}”这种 MM-DD 时限只适用于每年的事项（频次“{detail}”"
    "请留空，表示每期期末）",
}
BINDING_MOVED = (
    "绑定转移：Telegram 账号 {telegram_id} 从 {old} 转给 {new}（{old} 已停用，其绑定已解除）"
)
FALLBACK = "内容有误：“{value}”（{code}）"
KIND_NAMES = (
    ("units", "单位"),
    ("people", "人员"),
    ("items", "责任事项"),
    ("holdings", "持有关系"),
)


def render_problem(problem: ImportProblem) -> str:
    """One line: where (source, row, column) and what is wrong and what to do."""
    template = PROBLEM_TEMPLATES.get(problem.code, FALLBACK)
    message = template.format(
        value=escape(problem.value), detail=escape(problem.detail), code=problem.code
    )
    where = escape(problem.source)
    if problem.row is not None and problem.row > 1:
        where += f" 第 {problem.row} 行"
    elif problem.row == 1 or (problem.column and problem.row is None):
        where += " 表头"
    if problem.column:
        where += f"「{escape(problem.column)}」"
    return f"{where}：{message}"


def render_problems(problems: list[ImportProblem], limit: int = 50) -> str:
    """The rejection report: nothing was written, then at most `limit` problems."""
    lines = [
        f"导入未执行：发现 {len(problems)} 处问题，数据库未作任何改动。请改正后重新导入。",
        *(f"{number}. {render_problem(p)}" for number, p in enumerate(problems[:limit], start=1)),
    ]
    if len(problems) > limit:
        lines.append(f"……另有 {len(problems) - limit} 处问题未列出")
    return "\n".join(lines)


def _counts(name: str, counts: KindCounts) -> str:
    parts = [
        f"新增 {counts.added}",
        f"更新 {counts.updated}",
        f"停用 {counts.deactivated}",
        f"未变 {counts.unchanged}",
    ]
    return f"{name} " + "、".join(parts)


def render_summary(summary: ImportSummary) -> str:
    """What the import did, kind by kind, then any warnings."""
    kinds = "；".join(_counts(name, getattr(summary, kind)) for kind, name in KIND_NAMES)
    lines = [f"导入完成：{kinds}；本期待办 新建 {summary.due_items_created} 条。"]
    if summary.due_dates_changed:
        lines.append(
            f"完成时限有变：{summary.due_dates_changed} 条未完成待办的截止日期已随之更新"
            "（已记实或已关闭的保持原日期）。"
        )
    lines.extend(
        BINDING_MOVED.format(
            telegram_id=m.telegram_id, old=escape(m.from_code), new=escape(m.to_code)
        )
        for m in summary.bindings_moved
    )
    if summary.changed_nothing:
        lines.append("数据与上次导入完全一致，未作任何改动。")
    if summary.warnings:
        lines.append(f"提示 {len(summary.warnings)} 条：")
        lines.extend(f"· {render_problem(w)}" for w in summary.warnings)
    return "\n".join(lines)


STAGES = {
    "check": "校验",
    "units": "写入单位",
    "people": "写入人员",
    "items": "写入责任事项",
    "holdings": "计算持有关系",
    "due_items": "生成本期待办",
}


def render_progress(stage: str, done: int, total: int) -> str:
    """One progress line for long imports: 导入中：写入人员 1500/5000."""
    return f"导入中：{STAGES.get(stage, stage)} {done}/{total}"
