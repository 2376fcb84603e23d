"""The matcher on issue T's defects and on replies.tsv: stalls, dates, sure, lists, named items."""

from __future__ import annotations

import datetime

import pytest

from bot.services.records.matching.dates import named_day

TODAY = datetime.date(2026, 12, 21)  # a Monday


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("今天召开了党委会", TODAY, TODAY),
        ("昨天开了", TODAY, datetime.date(2026, 12, 20)),
        ("前天谈的", TODAY, datetime.date(2026, 12, 19)),
        ("大前天", TODAY, datetime.date(2026, 12, 18)),
        ("上周五召开了党委会", TODAY, datetime.date(2026, 12, 18)),
        ("上星期五", TODAY, datetime.date(2026, 12, 18)),
        ("上週五召開", TODAY, datetime.date(2026, 12, 18)),
        ("本周一开了", datetime.date(2026, 12, 23), TODAY),
        ("周五召开党委会", TODAY, datetime.date(2026, 12, 25)),  # future: the caller decides
        ("12月28日", datetime.date(2027, 1, 4), datetime.date(2026, 12, 28)),
        ("12月28號召開", datetime.date(2027, 1, 4), datetime.date(2026, 12, 28)),
        ("十二月二十八日", datetime.date(2027, 1, 4), datetime.date(2026, 12, 28)),
        ("3月12日签订了责任书", datetime.date(2027, 3, 22), datetime.date(2027, 3, 12)),
        ("2026年11月3日召开党委会", TODAY, datetime.date(2026, 11, 3)),
        ("11.28组织观看", TODAY, datetime.date(2026, 11, 28)),
        ("11/28", TODAY, datetime.date(2026, 11, 28)),
        ("11-28召开", TODAY, datetime.date(2026, 11, 28)),
        ("27日召开了党委会", datetime.date(2026, 12, 4), datetime.date(2026, 11, 27)),
        ("上个月25号谈的", datetime.date(2026, 12, 3), datetime.date(2026, 11, 25)),
        ("党委会12月28日召开", TODAY, datetime.date(2026, 12, 28)),
        ("学习3.5小时", TODAY, None),
        ("1-3月完成", TODAY, None),
        ("每周五开展", TODAY, None),
        ("按1号文件要求", TODAY, None),
        ("召开党委会", TODAY, None),
    ],
)
def test_the_day_a_sentence_names(text: str, today: datetime.date, day: datetime.date) -> None:
    assert named_day(text, today=today) == day
