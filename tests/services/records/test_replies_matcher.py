"""The matcher on issue T's defects and on replies.tsv: stalls, dates, sure, lists, named items."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from bot.services.records.matcher import Intent, Matcher, Outcome
from bot.services.records.matching.dates import named_day
from tests.services.matcher_cases import REPLY_SHAPES, Reply, holder_candidates, known_items
from tests.services.records.replies_judge import JUDGED, Verdict, judge

TODAY = datetime.date(2026, 12, 21)  # a Monday


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(known_items=known_items())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("回头再说", Intent.PLAN),
        ("在做了", Intent.PLAN),
        ("会按时完成的", Intent.PLAN),
        ("这周内完成", Intent.PLAN),
        ("过两天办", Intent.PLAN),
        ("出差了", Intent.PLAN),
        ("不是我负责的", Intent.NEGATION),
        ("作废", Intent.NEGATION),
        ("看不懂", Intent.QUESTION),
        ("发错了吧", Intent.QUESTION),
        ("1", Intent.ACK),
        ("测试", Intent.ACK),
        ("没问题", Intent.ACK),
        ("本周内召开党委会", Intent.PLAN),
        ("马上开党委会", Intent.PLAN),
        ("想开个党委会", Intent.PLAN),
        ("周五召开党委会", Intent.PLAN),  # a bare weekday: the coming one
        ("党委会12月28日召开", Intent.PLAN),
        ("元旦前开展廉洁提醒", Intent.PLAN),
        ("周五召开了党委会", Intent.COMPLETION),  # with 了: the last one
        ("12月18日召开党委会", Intent.COMPLETION),
    ],
)
def test_stalls_refusals_and_future_days_are_no_completion(
    matcher: Matcher, text: str, intent: Intent
) -> None:
    assert matcher.classify(text, today=TODAY) is intent
    result = matcher.match(text, holder_candidates("P0101"), today=TODAY)
    assert result.intent is intent
    if intent is not Intent.COMPLETION:
        assert result.outcome is Outcome.NOT_COMPLETION and not result.sure


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
        # found by the review of issue T
        ("于11.28召开了党委会", TODAY, datetime.date(2026, 11, 28)),
        ("党委会11.28召开", TODAY, datetime.date(2026, 11, 28)),
        ("12月18召开了党委会", TODAY, datetime.date(2026, 12, 18)),
        ("在10号会议室召开了党委会", TODAY, None),
        ("3号召开党委会", datetime.date(2026, 12, 3), datetime.date(2026, 12, 3)),
        ("3月15个村全部完成", TODAY, None),
    ],
)
def test_the_day_a_sentence_names(text: str, today: datetime.date, day: datetime.date) -> None:
    assert named_day(text, today=today) == day


def test_a_completion_needs_a_sign_that_something_was_done(matcher: Matcher) -> None:
    candidates = holder_candidates("P0101")
    plain = matcher.match("召开党委会专题研究党风廉政建设", candidates, today=TODAY)
    assert plain.outcome is Outcome.CONFIDENT and not plain.marked and not plain.sure
    for text in ("召开了党委会专题研究党风廉政建设", "党委会已开完", "昨天召开党委会专题研究"):
        result = matcher.match(text, candidates, today=TODAY)
        assert result.sure and result.confident is not None and result.confident.code == "C01"
    dated = matcher.match("12月18日召开党委会专题研究党风廉政建设", candidates, today=TODAY)
    assert dated.sure and dated.happened_on == datetime.date(2026, 12, 18)
    assert matcher.match("召开了党委会专题研究", candidates, today=TODAY).happened_on is None


@pytest.mark.parametrize(
    ("text", "holder", "wrong"),
    [
        ("参加了镇党委会，专题研究党风廉政建设", "P0104", "M05"),
        ("与下属单位负责人签订了党风廉政建设目标责任书", "P0104", "M02"),
        ("与班子成员签订了党风廉政建设目标责任书", "P0103", "S01"),
        ("召开了领导班子专题民主生活会", "P0102", "M04"),
    ],
)
def test_the_best_of_poor_fits_is_never_confident(
    matcher: Matcher, text: str, holder: str, wrong: str
) -> None:
    candidates = holder_candidates(holder)
    assert matcher.match(text, candidates, today=TODAY).confident is None
    for short in ([c for c in candidates if c.code == wrong], candidates[:3]):
        result = matcher.match(text, short, today=TODAY)
        assert result.confident is None and not result.sure, short


def test_a_numbered_message_keeps_every_part(matcher: Matcher) -> None:
    text = (
        "1.召开了党委会专题研究党风廉政建设\n2.参加了全区经济工作会议\n3.与班子成员签订了目标责任书"
    )
    result = matcher.match(text, holder_candidates("P0101"), today=TODAY)
    assert result.outcome is Outcome.SPLIT
    texts = [
        "召开了党委会专题研究党风廉政建设",
        "参加了全区经济工作会议",
        "与班子成员签订了目标责任书",
    ]
    assert [part.text for part in result.parts] == texts
    codes = [part.confident.code if part.sure and part.confident else None for part in result.parts]
    assert codes == ["C01", None, "C03"]
    assert result.parts[1].outcome in (Outcome.UNSURE, Outcome.NO_MATCH)


# replies.tsv (tests/services/records/replies_judge.py judges each row)

# measured on the set (docs/benchmarks.md): a change that drops below fails here. Known misses:
# near — 向区纪委报送了信访举报情况统计表 (S03), 向党委书面报告了明年工作思路 (M05), 审批了3个重大
# 项目 (I0801) are proposed as sure; done — 召开党工委会议专题研究党风廉政建设工作 and 召开党委会专题
# 研究党风廉正建设 carry no sign of being done, so they are proposed but not sure (the set wants
# them sure; the issue says an unmarked sentence never is)
MIN_RIGHT = {
    "reply": 1.0,
    "stall": 1.0,
    "plan": 1.0,
    "past": 1.0,
    "multi": 1.0,
    "near": 0.94,
    "done": 0.96,
}


@pytest.fixture(scope="module")
def verdicts(matcher: Matcher) -> list[Verdict]:
    return [judge(matcher, reply) for reply in JUDGED]


def test_every_shape_is_judged_and_right_at_least_as_measured(verdicts: list[Verdict]) -> None:
    total = Counter(verdict.reply.shape for verdict in verdicts)
    right = Counter(verdict.reply.shape for verdict in verdicts if verdict.right)
    assert set(total) == set(REPLY_SHAPES) and len(verdicts) >= 300
    wrong = [f"{v.reply.line}: {v.reply.text}" for v in verdicts if not v.right]
    for shape, share in MIN_RIGHT.items():
        assert right[shape] >= share * total[shape], (shape, right[shape], total[shape], wrong)


@pytest.mark.parametrize(
    "reply",
    [reply for reply in JUDGED if reply.expected.startswith("!") or reply.expected == "-"],
    ids=lambda reply: f"{reply.line}:{reply.text[:16]}",
)
def test_a_non_completion_or_noise_is_never_proposed(matcher: Matcher, reply: Reply) -> None:
    verdict = judge(matcher, reply)
    assert verdict.right, verdict.result


@pytest.mark.parametrize(
    ("text", "named", "codes"),
    [
        ("已开", ["C01"], ["C01"]),  # about no item: the one the card names
        ("讲了", ["C04"], ["C04"]),
        ("都完成了", ["C01", "C05", "C07"], ["C01", "C05", "C07"]),
        ("党委会开了", ["C01", "C05"], ["C01"]),  # the named item it is about
        ("已完成", ["C01", "C05", "C07"], []),  # which one? offered, not sure
        ("今天组织观看了警示教育片", ["C01", "C05"], []),  # another item: offered only
        ("区纪委与我开展了廉政谈话", ["C05"], []),  # a near miss stays one
        ("召开党委会", ["C01"], []),  # nothing says it is done
    ],
)
def test_a_reply_to_named_items(
    matcher: Matcher, text: str, named: list[str], codes: list[str]
) -> None:
    candidates = holder_candidates("P0101")
    keys = [candidate.key for candidate in candidates if candidate.code in named]
    result = matcher.match(text, candidates, today=datetime.date(2026, 12, 21), named=keys)
    parts = result.parts or [result]
    assert [part.confident.code for part in parts if part.sure and part.confident] == codes


def test_a_list_takes_its_headings_day_and_tense(matcher: Matcher) -> None:
    text = "12月28日：\n1.召开党委会专题研究党风廉政建设\n2.召开领导班子专题民主生活会"
    result = matcher.match(text, holder_candidates("P0101"), today=datetime.date(2027, 1, 4))
    assert [
        (part.confident.code if part.confident else None, part.sure) for part in result.parts
    ] == [
        ("C01", True),
        ("D02", True),
    ]
    assert {part.happened_on for part in result.parts} == {datetime.date(2026, 12, 28)}
    bare = matcher.match("1.召开党委会\n2.签订责任书", holder_candidates("P0101"))
    assert bare.outcome is Outcome.SPLIT and not any(part.sure for part in bare.parts)
    mixed = matcher.match(
        "1.已召开党委会专题研究党风廉政建设\n2.下周讲廉政党课", holder_candidates("P0101")
    )
    assert [part.outcome for part in mixed.parts] == [Outcome.CONFIDENT, Outcome.NOT_COMPLETION]
