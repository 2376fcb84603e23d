"""Wording of /units (each unit's quarter), /ranking (3+1) and the 年终考核 import."""

from __future__ import annotations

from html import escape

from bot.services.calendar.periods import Period
from bot.services.importing.assessment import AssessmentImported, AssessmentProblem
from bot.services.oversight.ranking import Ranked, RankingRules
from bot.services.oversight.units import UnitProgress, by_category
from storage.models import Category

QUARTER_WORDS = "一二三四"
PICK = "选择要查看的排名（季度得分在类别内排名；年度 = 前三季度平均分与年终考核合成）："
STALE = "按钮已失效，请重新发送 /ranking。"
NOT_BEGUN = "{label}尚未开始，暂无排名。"
NO_UNITS = "还没有带类别的单位：请先导入名单（单位表的“类别”列）。"


def quarter_label(year: int, number: int) -> str:
    return f"{year}年第{QUARTER_WORDS[number - 1]}季度"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def units(span: Period, today_in: bool, progress: list[UnitProgress]) -> str:
    """/units: each category's units, best completion first."""
    if not progress:
        return NO_UNITS
    year, number = span.start.year, (span.start.month + 2) // 3
    head = f"<b>各单位{quarter_label(year, number)}完成情况</b>"
    if today_in:
        head += "（季度进行中，截至今日）"
    lines = [head, "完成率 = 已记实 / 本季度到期事项；及时 = 在截止日（含顺延）前记实"]
    for category, members in by_category(progress):
        lines.append(f"\n<b>{escape(category.value)}</b>")
        for unit in members:
            if not unit.total:
                line = f"· {escape(unit.name)}：本季度无到期事项"
            else:
                line = (
                    f"· {escape(unit.name)}：完成 {_pct(unit.completion)}（{unit.done}/{unit.total}）"
                    f"，及时 {_pct(unit.timeliness)}"
                )
            if unit.overdue:
                line += f"，🔴 逾期 {unit.overdue} 项"
            lines.append(line)
    return "\n".join(lines)


def units_usage(typed: str) -> str:
    return (
        f"看不懂“{escape(typed)}”：发送 <code>/units</code> 看本季度，"
        "或 <code>/units 2026-Q3</code> 看已开始的某一季度。"
    )


def units_chart_title(span: Period) -> str:
    return f"各单位{quarter_label(span.start.year, (span.start.month + 2) // 3)}完成率"


def formula(rules: RankingRules) -> str:
    """The formula as the reply states it, with the weights in force."""
    scores = "、".join(f"{word}={score:g}" for word, score in rules.scores)
    return (
        f"季度得分 = 100 ×（{rules.completion:g} × 完成率 + {rules.timeliness:g} × 及时率）；"
        f"年度得分 = 前三季度平均分 × {1 - rules.assessment:g} + 年终考核分 × {rules.assessment:g}"
        f"（{scores}，导入时给出分数的以分数为准）"
    )


def _by_category(lines: list[Ranked]) -> list[tuple[Category, list[Ranked]]]:
    groups: dict[Category, list[Ranked]] = {}
    for line in lines:
        groups.setdefault(line.category, []).append(line)
    return list(groups.items())


def _rank(line: Ranked) -> str:
    return f"{line.rank}." if line.rank is not None else "—"


def quarter_ranking(year: int, number: int, lines: list[Ranked], rules: RankingRules) -> str:
    """A quarter's ranking, category by category."""
    out = [f"<b>{quarter_label(year, number)}排名（3+1）</b>", formula(rules)]
    for category, members in _by_category(lines):
        out.append(f"\n<b>{escape(category.value)}</b>")
        for line in members:
            p = line.progress
            counts = (
                f"完成 {_pct(p.completion)}（{p.done}/{p.total}），及时 {_pct(p.timeliness)}"
                if p
                else ""
            )
            if line.score is None:
                out.append(f"— {escape(line.name)}：本季度无到期事项，不参与排名")
            else:
                out.append(f"{_rank(line)} {escape(line.name)} {_score(line.score)} 分 · {counts}")
    return "\n".join(out)


def year_ranking(year: int, lines: list[Ranked], rules: RankingRules) -> str:
    """The year's ranking: the three quarters, the assessment, the total."""
    out = [f"<b>{year}年度排名（3+1）</b>", formula(rules)]
    missing = 0
    for category, members in _by_category(lines):
        out.append(f"\n<b>{escape(category.value)}</b>")
        for line in members:
            quarters = "/".join(_score(q) for q in line.quarters)
            assessed = (
                f"考核 {escape(line.assessment) or '分数'} {_score(line.assessment_score)}"
                if line.assessment_score is not None
                else "考核 未导入"
            )
            missing += line.assessment_score is None
            known = [q for q in line.quarters if q is not None]
            mean = f"（平均 {sum(known) / len(known):.1f}）" if known else ""
            total = f"{_score(line.score)} 分" if line.score is not None else "未排名"
            out.append(
                f"{_rank(line)} {escape(line.name)} {total} · "
                f"一至三季度 {quarters}{mean} · {assessed}"
            )
    if missing:
        out.append(
            f"\n{missing} 个单位尚未导入{year}年终考核结果：发送含“年终考核”工作表的 .xlsx"
            "（列：单位编码、年度、考核结果、分数(可选)）。"
        )
    return "\n".join(out)


def ranking_chart_title(label: str) -> str:
    return f"{label}得分（类别内排名）"


def chart_label(line: Ranked) -> str:
    """A bar's label in its category's panel: rank and name."""
    return f"{line.rank or '—'}. {line.name}"


def file_caption(label: str) -> str:
    return f"{label}排名表（Excel）"


ASSESSMENT_PROBLEMS = {
    "no_sheet": "工作簿中没有“年终考核”工作表。",
    "missing_column": "“年终考核”表第 1 行缺少列「{column}」。",
    "empty": "“年终考核”表没有数据行。",
    "unknown_unit": "第 {row} 行「{column}」：没有单位编码“{value}”。",
    "unranked_unit": (
        "第 {row} 行「{column}」：“{value}”（{detail}）没有单位类别，不参加考核排名，"
        "不能导入年终考核结果（请删去此行）。"
    ),
    "bad_year": "第 {row} 行「{column}」：“{value}”不是有效年度，请写四位数字如 2026。",
    "bad_result": "第 {row} 行「{column}」：“{value}”不是有效结果，应为 {detail} 之一。",
    "bad_score": "第 {row} 行「{column}」：“{value}”不是 0–100 的分数（可留空）。",
    "duplicate": "第 {row} 行「{column}」：单位“{value}”的 {year} 年度已在第 {detail} 行出现。",
}


def assessment_rejected(problems: list[AssessmentProblem], limit: int = 50) -> str:
    """Every problem by row; nothing was imported."""
    lines = ["年终考核导入未执行（未写入任何数据），请修改后重新发送："]
    for problem in problems[:limit]:
        template = ASSESSMENT_PROBLEMS[problem.code]
        lines.append(
            "· "
            + template.format(
                row=problem.row,
                column=escape(problem.column),
                value=escape(problem.value),
                detail=escape(problem.detail),
                year=problem.year,
            )
        )
    if len(problems) > limit:
        lines.append(f"……另有 {len(problems) - limit} 处问题。")
    return "\n".join(lines)


def assessment_imported(done: AssessmentImported) -> str:
    years = "、".join(str(y) for y in done.years)
    text = f"✅ 年终考核导入完成：{years}年度 {done.imported} 个单位"
    if done.replaced:
        text += f"（其中 {done.replaced} 个替换了此前导入的结果）"
    return text + "。发送 /ranking 查看年度排名。"
