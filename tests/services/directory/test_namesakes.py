"""Namesakes told apart: by position when theirs differ, by code when not; others by name."""

from __future__ import annotations

from bot.services.directory.naming import apart


def test_namesakes_are_told_apart_by_position_or_else_by_code() -> None:
    assert apart(
        [
            (1, "赵德明", "镇纪委书记", "P0103"),
            (2, "赵德明", "镇党委委员", "P0106"),
            (3, "陈立新", "镇党委书记", "P0101"),
        ]
    ) == {1: "赵德明（镇纪委书记）", 2: "赵德明（镇党委委员）", 3: "陈立新"}
    assert apart([(1, "王敏", "科员", "P1"), (2, "王敏", "科员", "P2")]) == {
        1: "王敏（P1）",
        2: "王敏（P2）",
    }
    assert apart([(1, "王敏", "", "P1"), (2, "王敏", "科长", "P2")]) == {
        1: "王敏（P1）",
        2: "王敏（P2）",
    }
