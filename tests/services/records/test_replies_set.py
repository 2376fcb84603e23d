"""The shape of the replies set (tests/services/data/replies.tsv): columns, codes, dates, groups.

Only the set itself is checked here; what the bot does with each row is for the code tests.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from bot.services.records.matcher import Intent
from tests.services.matcher_cases import (
    NAMING_KINDS,
    NEVER_RECORDS,
    REPLY_KINDS,
    REPLY_SHAPES,
    TEXT_PROMPTS,
    Reply,
    holder_candidates,
    read_replies,
)

REPLIES = read_replies()
MIN_ROWS = 300
MIN_PER_SHAPE = 25
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 12, 31)
LONGEST_AGO = timedelta(days=45)  # a past day named in a chat sentence is recent
HOLDER = re.compile(r"^P\d{4}$")
CODE = re.compile(r"^(?:[A-Z]\d{2}|I\d{4}|ZC|BG)$")
NOT_RECORDED = frozenset({"-", "已阅", "text"}) | {f"!{intent.name}" for intent in Intent}
LIST_MARK = re.compile(r"(?:^|\s)(?:\d+\s*[.、．)）]|[一二三四五]、|一是)|[①-⑩]")


def _held(reply: Reply) -> set[str]:
    return {candidate.code for candidate in holder_candidates(reply.holder)}


def _id(reply: Reply) -> str:
    return f"{reply.line}:{reply.text[:20]}"


def test_the_set_is_large_and_every_shape_has_its_rows() -> None:
    assert len(REPLIES) >= MIN_ROWS
    shapes = Counter(reply.shape for reply in REPLIES)
    assert set(shapes) == set(REPLY_SHAPES)
    assert all(shapes[shape] >= MIN_PER_SHAPE for shape in REPLY_SHAPES), shapes
    assert {reply.kind for reply in REPLIES} == REPLY_KINDS | {None}
    labels = Counter(reply.expected.split("+")[0][:1] for reply in REPLIES)
    assert labels["?"] >= MIN_PER_SHAPE and labels["!"] >= MIN_PER_SHAPE and labels["-"] >= 25
    assert sum(bool(reply.codes) for reply in REPLIES) >= 100  # not only negatives
    assert len({reply.text for reply in REPLIES if reply.kind in NEVER_RECORDS}) >= 25


@pytest.mark.parametrize("reply", REPLIES, ids=_id)
def test_every_column_is_valid(reply: Reply) -> None:
    assert HOLDER.match(reply.holder) and holder_candidates(reply.holder)
    assert reply.replied_to == "-" or reply.kind in REPLY_KINDS
    assert bool(reply.named) == (reply.kind in NAMING_KINDS)
    assert FIRST_DAY <= reply.sent_on <= LAST_DAY
    assert reply.text.strip() and "\t" not in reply.text and reply.text == reply.text.strip()
    codes = reply.codes or reply.offered
    assert all(CODE.match(code) for code in codes + reply.named)
    assert len(set(reply.codes)) == len(reply.codes)
    if not reply.codes and not reply.unsure:
        assert reply.expected in NOT_RECORDED


@pytest.mark.parametrize("reply", REPLIES, ids=_id)
def test_every_code_is_on_the_holders_list(reply: Reply) -> None:
    held = _held(reply)
    assert set(reply.codes) <= held
    assert set(reply.offered) <= held
    assert set(reply.named) <= held
    assert not {"ZC", "BG"} & set(reply.codes + reply.offered)  # handed in by their flows


@pytest.mark.parametrize("reply", REPLIES, ids=_id)
def test_dates_are_never_in_the_future_and_only_a_record_has_one(reply: Reply) -> None:
    recorded = bool(reply.codes) or reply.unsure
    assert (reply.happened_on is not None) == recorded
    if reply.happened_on is not None:
        assert reply.sent_on - LONGEST_AGO <= reply.happened_on <= reply.sent_on


@pytest.mark.parametrize("reply", REPLIES, ids=_id)
def test_the_label_fits_what_it_replies_to(reply: Reply) -> None:
    if reply.kind in NEVER_RECORDS:
        assert reply.expected == "-"  # whatever it says
    assert (reply.expected == "text") == (reply.kind in TEXT_PROMPTS)
    if reply.expected == "已阅":
        assert reply.kind == "notice"
    if reply.kind == "notice":
        assert not reply.codes and not reply.unsure


@pytest.mark.parametrize("reply", REPLIES, ids=_id)
def test_each_row_is_of_its_group(reply: Reply) -> None:
    completion = bool(reply.codes)
    match reply.shape:
        case "reply":
            assert reply.kind is not None
        case "stall":
            assert not completion and not reply.unsure and reply.expected != "已阅"
        case "plan":
            assert not completion and not reply.unsure
            assert reply.expected in {"!PLAN", "-", "已阅"}
        case "past":
            assert completion or reply.unsure
            assert reply.happened_on is not None and reply.happened_on < reply.sent_on
        case "multi":
            assert "\n" in reply.text or LIST_MARK.search(reply.text)
        case "near":
            assert reply.unsure
        case "done":
            assert completion and reply.happened_on == reply.sent_on


def test_the_issues_own_examples_are_in_the_set() -> None:
    texts = {(reply.holder, reply.text): reply.expected for reply in REPLIES}
    assert texts[("P0104", "今天和分管科室负责人开展了廉政谈话")] in {"M02", "?M02"}
    assert texts[("P0104", "参加了镇党委会，专题研究党风廉政建设")] == "?"
    assert texts[("P0102", "召开了领导班子专题民主生活会")] == "?"
    for stall in (
        "回头再说",
        "在做了",
        "会按时完成的",
        "不是我负责的",
        "看不懂",
        "1",
        "这周内完成",
    ):
        assert any(r.text == stall and r.kind in NAMING_KINDS for r in REPLIES), stall
    for text in ("撤销", "写错了，删除这条", "不对"):
        assert any(r.text == text and r.kind == "confirmation" for r in REPLIES), text
