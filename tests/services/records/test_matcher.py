"""The matcher on labelled officials' sentences: accuracy, no non-completion ever proposed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jieba
import opencc
import pytest

from bot.services.records.matcher import Candidate, Intent, Matcher, MatchResult, Outcome
from bot.services.records.matching.lexicon import read_data
from tests.services.matcher_cases import (
    LABELLED,
    OFF_LIST,
    Case,
    holder_candidates,
    known_items,
    read_cases,
)

# what the matcher reaches on the labelled sets (see the report in docs/benchmarks.md); a change
# that drops below fails here
MIN_TOP1 = 0.99  # the right item first among the ranked candidates
MIN_PROPOSED = 0.95  # share of completions that get a confident proposal

CASES = [case for name in LABELLED for case in read_cases(name)]
SINGLE = [case for case in CASES if len(case.codes) == 1]
TWO_IN_ONE = [case for case in CASES if len(case.codes) > 1]
NOT_DONE = [case for case in CASES if case.intent is not Intent.COMPLETION]
OFF = read_cases(OFF_LIST)
# off-list messages still proposed (参加区纪委业务培训 was, until attending became a near miss)
KNOWN_OFF_LIST_MISSES: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(known_items=known_items())


def _match(matcher: Matcher, case: Case) -> MatchResult:
    return matcher.match(case.text, holder_candidates(case.holder))


def test_the_labelled_sets_are_large_and_cover_every_sample_item() -> None:
    codes = {code for case in CASES for code in case.codes}
    items = {
        candidate.code
        for person in ("P0101", "P0102", "P0103")
        for candidate in holder_candidates(person)
    }
    assert len(SINGLE) >= 120 and len(NOT_DONE) >= 40
    assert items <= codes
    assert len(codes) == 42  # the 40 sample items and the two built-in ones
    converter = opencc.OpenCC("t2s")
    assert sum(converter.convert(case.text) != case.text for case in CASES) >= 20  # 繁體


def test_completions_rank_the_right_item_first_and_proposals_are_right(matcher: Matcher) -> None:
    right, proposed, wrong_proposals = 0, 0, []
    for case in SINGLE:
        result = _match(matcher, case)
        assert result.intent is Intent.COMPLETION, case
        right += bool(result.ranked) and result.ranked[0][0].code == case.codes[0]
        if result.confident is not None:
            proposed += 1
            if result.confident.code != case.codes[0]:
                wrong_proposals.append((case.text, result.confident.code))
    assert wrong_proposals == []
    assert right / len(SINGLE) >= MIN_TOP1, f"top-1 {right}/{len(SINGLE)}"
    assert proposed / len(SINGLE) >= MIN_PROPOSED, f"proposed {proposed}/{len(SINGLE)}"


@pytest.mark.parametrize("case", NOT_DONE, ids=lambda case: case.text)
def test_a_non_completion_is_never_proposed(matcher: Matcher, case: Case) -> None:
    result = _match(matcher, case)
    assert result.outcome is Outcome.NOT_COMPLETION
    assert result.confident is None and result.ranked == [] and result.parts == []
    assert result.intent is case.intent
    assert matcher.classify(case.text) is case.intent


@pytest.mark.parametrize("case", TWO_IN_ONE, ids=lambda case: case.text)
def test_two_completed_things_in_one_message_become_two_proposals(
    matcher: Matcher, case: Case
) -> None:
    result = _match(matcher, case)
    assert result.outcome is Outcome.SPLIT
    assert [part.confident.code for part in result.parts if part.confident] == case.codes


@pytest.mark.parametrize(
    "text",
    ["组织观看警示教育片，并开展了讨论交流", "国庆节前发送了廉洁提醒。节日期间还开展了明察暗访"],
)
def test_two_halves_about_one_item_stay_one_proposal(matcher: Matcher, text: str) -> None:
    result = matcher.match(text, holder_candidates("P0103" if "国庆" in text else "P0101"))
    assert result.outcome is Outcome.CONFIDENT and result.parts == []


def _off_list_params() -> Iterator[object]:
    for case in OFF:
        marks = []
        if case.text in KNOWN_OFF_LIST_MISSES:
            marks.append(pytest.mark.xfail(strict=True, reason="known miss, see above"))
        yield pytest.param(case, marks=marks, id=case.text or "blank")


@pytest.mark.parametrize("case", list(_off_list_params()))
def test_a_message_about_nothing_on_the_list_is_not_proposed(matcher: Matcher, case: Case) -> None:
    result = _match(matcher, case)
    assert result.confident is None and result.parts == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("找了几个班子成员谈心", "C05"),  # 几个: a few, not how many
        ("抽查了几个村的村级账目", "I0101"),
        ("与班子成员谈心谈话，没什么问题", "C05"),  # 没 about the findings
        ("督促各村是否按时公开村级财务", "I0101"),  # an embedded 是否
    ],
)
def test_statements_that_look_like_questions_are_completions(
    matcher: Matcher, text: str, code: str
) -> None:
    result = matcher.match(text, holder_candidates("P0101"))
    assert result.confident is not None and result.confident.code == code


def test_traditional_characters_match_as_simplified(matcher: Matcher) -> None:
    candidates = holder_candidates("P0101")
    traditional = matcher.match("召開黨組會議專題研究黨風廉政建設", candidates)
    simplified = matcher.match("召开党组会议专题研究党风廉政建设", candidates)
    assert traditional.confident is not None and traditional.confident.code == "C01"
    assert traditional.ranked == simplified.ranked
    assert matcher.classify("下週準備召開黨委會") is Intent.PLAN


def test_the_synonyms_are_data_shipped_with_the_package(matcher: Matcher) -> None:
    groups = [line.split() for line in read_data("synonyms.txt")]
    meeting = next(group for group in groups if group[0] == "党委会")
    assert {"党组会", "班子会", "常委会", "党委(党组)会议"} <= set(meeting)
    for text in ("召开常委会专题研究党风廉政建设", "召开班子会专题研究党风廉政建设"):
        result = matcher.match(text, holder_candidates("P0101"))
        assert result.confident is not None and result.confident.code == "C01"


def test_naming_the_code_proposes_that_item(matcher: Matcher) -> None:
    result = matcher.match("【C04】已完成", holder_candidates("P0101"))
    assert result.confident is not None and result.confident.code == "C04"


def test_open_items_come_first_on_a_tie(matcher: Matcher) -> None:
    closed = Candidate(key=1, code="C07", content="组织开展警示教育活动", open=False)
    opened = Candidate(key=2, code="C07", content="组织开展警示教育活动", open=True)
    result = matcher.match("组织观看了警示教育片", [closed, opened])
    assert [candidate.key for candidate, _ in result.ranked] == [2, 1]
    assert result.confident is None  # a tie is never sure


@pytest.mark.parametrize(
    "text", ["", "   ", "👍👍", "<b>&amp;</b> *_`[x](y)", "'; DROP TABLE record; --", "党" * 5000]
)
def test_odd_input_is_answered_quickly_and_never_proposed(matcher: Matcher, text: str) -> None:
    started = time.perf_counter()
    result = matcher.match(text, holder_candidates("P0101"))
    assert time.perf_counter() - started < 1.0
    assert result.confident is None and result.parts == []


def test_building_a_matcher_leaves_jiebas_global_dictionary_alone(matcher: Matcher) -> None:
    jieba.dt.initialize()
    total, size = jieba.dt.total, len(jieba.dt.FREQ)
    forced = set(jieba.finalseg.Force_Split_Words)
    own = Matcher(known_items=[("开展“清风扬帆”专项行动", "")])
    for word in ("述责述廉", "党风廉政建设", "三重一大", "清风扬帆"):
        assert own.in_dictionary(word)
        assert word not in jieba.dt.FREQ
    assert (jieba.dt.total, len(jieba.dt.FREQ)) == (total, size)
    assert set(jieba.finalseg.Force_Split_Words) == forced
    assert jieba.lcut("述责述廉", HMM=False) != ["述责述廉"]


def test_two_matchers_do_not_interfere(matcher: Matcher) -> None:
    texts = [case.text for case in SINGLE[:40]]
    before = [matcher.match(text, holder_candidates("P0101")) for text in texts]
    other = Matcher(known_items=[("开展“清风扬帆”专项行动", "")])
    assert other.in_dictionary("清风扬帆") and not matcher.in_dictionary("清风扬帆")
    other.match(
        "开展了清风扬帆专项行动", [Candidate(key=1, code="X1", content="开展“清风扬帆”专项行动")]
    )
    after = [matcher.match(text, holder_candidates("P0101")) for text in texts]
    assert after == before


def test_a_result_depends_only_on_its_arguments(matcher: Matcher) -> None:
    texts = [case.text for case in CASES[::7]]
    first = [matcher.match(text, holder_candidates("P0103")) for text in texts]
    fresh = Matcher(known_items=known_items())
    backwards = [fresh.match(text, holder_candidates("P0103")) for text in reversed(texts)]
    assert first == list(reversed(backwards))


_SNAPSHOT = """
import json, sys
from bot.services.records.matcher import Matcher
from tests.services.matcher_cases import LABELLED, holder_candidates, known_items, read_cases
matcher = Matcher(known_items=known_items())
cases = [case for name in LABELLED for case in read_cases(name)][::5]
out = []
for case in cases:
    result = matcher.match(case.text, holder_candidates(case.holder))
    out.append([result.intent, [[c.code, round(s, 9)] for c, s in result.ranked]])
json.dump(out, sys.stdout)
"""


def test_results_are_the_same_in_every_process() -> None:
    root = Path(__file__).resolve().parents[3]
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SNAPSHOT], cwd=root, env=env, capture_output=True, check=True
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
