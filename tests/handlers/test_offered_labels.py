"""An item offered for two periods (an old outstanding one and this quarter's) is told apart."""

from __future__ import annotations

from datetime import date

from bot.services.calendar.periods import stored_period
from bot.services.records.choices import Choice
from bot.texts import records as words
from storage.models import DutyType


def _choice(due_item_id: int, code: str, key: str, start: date, end: date) -> Choice:
    return Choice(
        due_item_id=due_item_id,
        code=code,
        content="开展提醒谈话",
        measures="",
        duty_type=DutyType.SUPERVISION,
        period=stored_period(key, start, end),
        due=end,
        done=False,
        unit_id=1,
        unit_team=False,
        system=None,
    )


def test_the_same_item_in_two_periods_shows_each_period_and_others_stay_short() -> None:
    q2 = _choice(1, "S04", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
    q4 = _choice(2, "S04", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    other = _choice(3, "S03", "2026-12", date(2026, 12, 1), date(2026, 12, 31))
    labels = words.with_period([q2, q4, other])
    assert labels[1] != labels[2]
    assert "第二季度" in labels[1] and "第四季度" in labels[2]
    assert labels[3] == "【S03】"
    text = words.unsure([q2, q4], "开展了提醒谈话")
    assert "第二季度" in text and "第四季度" in text
