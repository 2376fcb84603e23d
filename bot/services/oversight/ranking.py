"""惠济's "3+1": Q1–Q3 each scored and ranked within the category, then the year with the assessment.

Quarter score = 100 × (wc × completion + wt × timeliness)  (bot.services.oversight.units)
Year score    = mean of the Q1–Q3 scores × (1 − wa) + assessment score × wa
The weights and the assessment words' scores are settings (README: 排名（3+1）); a unit with
nothing due in a quarter has no score for it (the year takes the mean of the quarters it has),
a unit without an imported assessment has no year score yet. Ranks are within the category,
best first, equal scores sharing a rank (1, 1, 3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.workdays import load_calendar
from bot.services.oversight.units import CATEGORY_ORDER, UnitProgress, quarter, quarter_progress
from storage.models import Assessment, Category

RANKED_QUARTERS = (1, 2, 3)
DEFAULT_SCORES = (("好", 100.0), ("较好", 85.0), ("一般", 70.0), ("差", 50.0))


@dataclass(frozen=True)
class RankingRules:
    """The formula's weights and the assessment words' scores (built from Settings in bot/app.py)."""

    completion: float = 0.7
    timeliness: float = 0.3
    assessment: float = 0.4
    scores: tuple[tuple[str, float], ...] = DEFAULT_SCORES

    def score_of(self, result: str) -> float | None:
        """The score an assessment word stands for (None: not a known word)."""
        return dict(self.scores).get(result.strip())

    def quarter_score(self, unit: UnitProgress) -> float | None:
        if unit.completion is None or unit.timeliness is None:
            return None
        return 100.0 * (self.completion * unit.completion + self.timeliness * unit.timeliness)


@dataclass(frozen=True)
class Ranked:
    """One unit's line in a ranking: its score and rank within the category (None: unranked)."""

    code: str
    name: str
    category: Category
    score: float | None
    rank: int | None
    progress: UnitProgress | None = None  # a quarter's counts
    quarters: tuple[float | None, ...] = ()  # the year's Q1–Q3 scores
    assessment: str = ""  # the year's 考核结果
    assessment_score: float | None = None


def rank(lines: list[Ranked]) -> list[Ranked]:
    """Ranks within each category (equal scores share one), category order, best first."""
    ordered = sorted(
        lines,
        key=lambda r: (
            CATEGORY_ORDER.index(r.category),
            r.score is None,
            -(r.score or 0.0),
            r.code,
        ),
    )
    result: list[Ranked] = []
    position, previous, category = 0, None, None
    for line in ordered:
        if line.category != category:
            category, position, previous = line.category, 0, None
        position += 1
        if line.score is None:
            result.append(line)
            continue
        if previous is not None and round(line.score, 6) == round(previous.score or 0.0, 6):
            shown = previous.rank
        else:
            shown = position
        line = dataclasses.replace(line, rank=shown)
        result.append(line)
        previous = line
    return result


async def quarter_ranking(
    session: AsyncSession,
    *,
    year: int,
    number: int,
    rules: RankingRules,
    now: datetime,
    zone: ZoneInfo,
) -> list[Ranked]:
    """One quarter's scores and ranks."""
    span = quarter(year, number)
    units = await quarter_progress(session, span=span, now=now, zone=zone)
    return rank(
        [Ranked(u.code, u.name, u.category, rules.quarter_score(u), None, u) for u in units]
    )


async def year_ranking(
    session: AsyncSession, *, year: int, rules: RankingRules, now: datetime, zone: ZoneInfo
) -> list[Ranked]:
    """The year: the Q1–Q3 scores' mean with the imported assessment."""
    calendar = await load_calendar(session)
    scores: dict[str, list[float | None]] = {}
    units: dict[str, UnitProgress] = {}
    for number in RANKED_QUARTERS:
        span = quarter(year, number)
        for unit in await quarter_progress(
            session, span=span, now=now, zone=zone, calendar=calendar
        ):
            units[unit.code] = unit
            scores.setdefault(unit.code, []).append(rules.quarter_score(unit))
    assessed = {
        unit_id: (result, score)
        for unit_id, result, score in (
            await session.exec(
                select(
                    col(Assessment.unit_id), col(Assessment.result), col(Assessment.score)
                ).where(col(Assessment.year) == year)
            )
        ).all()
    }
    lines = []
    for code, unit in units.items():
        quarters = tuple(scores[code])
        known = [s for s in quarters if s is not None]
        result, given = assessed.get(unit.unit_id, ("", None))
        assessment = given if given is not None else rules.score_of(result) if result else None
        total = None
        if known and assessment is not None:
            mean = sum(known) / len(known)
            total = mean * (1 - rules.assessment) + assessment * rules.assessment
        lines.append(
            Ranked(
                unit.code,
                unit.name,
                unit.category,
                total,
                None,
                quarters=quarters,
                assessment=result,
                assessment_score=assessment,
            )
        )
    return rank(lines)
