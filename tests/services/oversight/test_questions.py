"""Questions about outstanding items: the labelled set must be read 100 % right, no completion caught."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from bot.services.ledger.builtin import SYSTEM_ITEMS
from bot.services.oversight.questions import Kind, Question, meaning, parse_question
from bot.services.records.matcher import Matcher
from tests.conftest import DISTRICT

DATA = Path(__file__).resolve().parents[1] / "data"
# 城关镇 (U01) of the sample district: its people and the items held there
NAMES = {"陈立新": [101], "李红霞": [102], "赵德明": [103], "孙志强": [104], "刘佳": [105]}
UNITS = [("U01", "城关镇"), ("U02", "河西街道")]
# the matcher sets' questions that do ask about what is outstanding
ASKED_IN_MATCHER_SETS = {
    "我这个季度还有什么没做",
    "我的清单里有哪些事项没完成？",
    "我的C04完成了没",
}


@functools.cache
def matcher() -> Matcher:
    return Matcher()


@functools.cache
def items() -> list[tuple[str, str]]:
    with (DISTRICT / "items.csv").open(encoding="utf-8") as f:
        rows = [(r["事项编码"], r["责任内容"]) for r in csv.DictReader(f)]
    held = [(code, text) for code, text in rows if not code.startswith("I") or code[1:3] == "01"]
    return held + [(item.code, item.content) for item in SYSTEM_ITEMS]


def labelled() -> list[tuple[str, str, str]]:
    lines = (DATA / "questions.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(kind, detail, text) for kind, detail, text in rows]


def ask(text: str) -> Question | None:
    return parse_question(matcher(), text, names=NAMES, items=items(), units=UNITS)


def reading(question: Question | None) -> tuple[str, str]:
    """(kind, detail) as questions.tsv writes them."""
    if question is None:
        return "-", "-"
    if question.kind is Kind.WHO_MISSING_ITEM:
        return question.kind.value, "+".join(question.items)
    if question.kind is Kind.PERSON_PENDING:
        return question.kind.value, question.name or "-"
    return question.kind.value, "-"


def test_the_labelled_set_is_read_entirely_right() -> None:
    rows = labelled()
    questions = [row for row in rows if row[0] != "-"]
    assert len(questions) >= 30 and len(rows) - len(questions) >= 30
    wrong = [(text, kind, detail, reading(ask(text))) for kind, detail, text in rows]
    wrong = [case for case in wrong if case[3] != (case[1], case[2])]
    assert wrong == []


def test_no_sentence_of_the_matcher_sets_is_caught_unless_it_asks_what_is_left() -> None:
    caught = []
    for path in sorted(DATA.glob("matcher_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 3:
                continue
            if ask(parts[2]) is not None:
                caught.append(parts[2])
    assert set(caught) == ASKED_IN_MATCHER_SETS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三还差什么", Question(Kind.PERSON_PENDING, name="张三")),
        ("陈立新还有哪些没完成", Question(Kind.PERSON_PENDING, name="陈立新", person_ids=(101,))),
        ("谁还没交季度自查", Question(Kind.WHO_MISSING_ITEM, items=("ZC",))),
        ("我的C04完成了没", Question(Kind.OWN_PENDING, items=("C04",), own=True)),
        (
            "城关镇本季度完成得怎么样",
            Question(Kind.QUARTER_PROGRESS, unit_code="U01", unit_name="城关镇"),
        ),
        (
            "河西街道还有哪些没完成",
            Question(Kind.UNIT_PENDING, unit_code="U02", unit_name="河西街道"),
        ),
    ],
)
def test_what_a_question_names(text: str, expected: Question) -> None:
    assert ask(text) == expected


def test_the_cheap_check_needs_no_names() -> None:
    assert meaning(matcher(), "本季度完成得怎么样") == "progress"
    assert meaning(matcher(), "谁还没交季度自查") == "pending"
    assert meaning(matcher(), "今天召开党委会研究了党风廉政建设") is None
