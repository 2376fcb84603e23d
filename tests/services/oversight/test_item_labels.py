"""Items on the /progress chart: short readable labels, never codes a 联络员 does not know."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.calendar.periods import period_of_key
from bot.services.ledger.counting import DueRow, DueState
from bot.services.oversight.item_labels import LABEL_CHARS, item_labels, short_content
from storage.models import DutyType, Frequency


@pytest.mark.parametrize(
    ("content", "label"),
    [
        ("每季度至少主持召开1次党委（党组）会议专题研究党风廉政建设工作", "主持召开1次党委会议专…"),
        ("带头讲廉政党课，每年不少于1次", "带头讲廉政党课"),
        ("落实“一岗双责”，每季度听取分管领域党风廉政建设情况汇报", "落实一岗双责"),
        ("年底向上级党委述责述廉", "向上级党委述责述廉"),
        ("每季度开展一次监督检查，重点检查作风建设", "开展一次监督检查"),
        ("季度自查：对照本人责任清单逐项自查本季度履责情况", "季度自查"),
        ("组织开展警示教育活动", "组织开展警示教育活动"),
        ("读书，学习党章", "读书，学习党章"),  # a first clause too short to stand alone
        ("  召开\n党委会\x07 ", "召开党委会"),
        ("每季度", "每季度"),  # nothing but how often: kept
        ("（）", "（）"),
        ("", ""),
        ("長" * 40, "長" * (LABEL_CHARS - 1) + "…"),
    ],
)
def test_an_item_reads_as_its_content_cut_short(content: str, label: str) -> None:
    assert short_content(content) == label
    assert len(short_content(content)) <= LABEL_CHARS


def _row(code: str, content: str, holder: str, person_id: int | None) -> DueRow:
    period = period_of_key("2026-Q4")
    assert period is not None
    return DueRow(
        due_item_id=1,
        unit_id=1,
        item_code=code,
        content=content,
        duty_type=DutyType.MAIN,
        frequency=Frequency.QUARTERLY,
        system=None,
        holder=holder,
        person_id=person_id,
        period=period,
        nominal=date(2026, 12, 31),
        due=date(2026, 12, 31),
        state=DueState.OPEN,
        done_on=None,
        closed_reason=None,
    )


ROWS = [
    _row("C01", "与班子成员开展廉政谈话", "陈立新", 1),
    _row("M01", "落实“一岗双责”，每季度听取汇报", "李红霞", 2),
    _row("M01", "落实“一岗双责”，每季度听取汇报", "赵德明", 3),
    _row("D01", "建立党风廉政建设工作台账", "单位班子", None),
    _row("I0102", "规范征地拆迁补偿款发放，做到全程公开公示", "李红霞", 2),
]


def test_the_units_chart_names_whose_an_item_is_when_one_person_holds_it() -> None:
    assert item_labels(ROWS, named=True) == {
        "C01": "陈立新·与班子成员开展廉政谈话",
        "M01": "落实一岗双责",
        "D01": "建立党风廉政建设工作台账",
        "I0102": "李红霞·规范征地拆迁补偿款发放",
    }
    assert item_labels(ROWS, named=False)["I0102"] == "规范征地拆迁补偿款发放"


def test_two_items_that_would_read_alike_keep_their_codes() -> None:
    rows = [
        _row("C07", "组织开展警示教育活动", "陈立新", 1),
        _row("C17", "组织开展警示教育活动，观看警示片", "陈立新", 1),
        _row("C18", "开展谈心谈话", "陈立新", 1),
    ]
    assert item_labels(rows, named=False) == {
        "C07": "组织开展警示教育活动（C07）",
        "C17": "组织开展警示教育活动（C17）",
        "C18": "开展谈心谈话",
    }
