"""strip_controls: what typed or imported text loses before it is stored."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.oversight.assign_parse import parse_task
from bot.services.plain_text import file_safe, strip_controls


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("召开党委会", "召开党委会"),
        ("召开\x07党委会\x00", "召开党委会"),
        ("\x1b[31m红字\x1b[0m", "[31m红字[0m"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("甲\u2028乙\u2029丙\x85丁", "甲\n乙\n丙\n丁"),
        ("列一\t列二\n", "列一\t列二\n"),
        ("\x7f\x9b删除", "删除"),
        ("零宽\u200b空格", "零宽\u200b空格"),  # Cf, not Cc: kept
    ],
)
def test_controls_go_line_breaks_stay(typed: str, kept: str) -> None:
    assert strip_controls(typed) == kept


def test_an_assigned_task_keeps_no_controls() -> None:
    task = parse_task("报送\x07述责述廉报告 / 2026-12-31", today=date(2026, 11, 23))
    assert task.content == "报送述责述廉报告"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("城关镇-2026年第四季度进度", "城关镇-2026年第四季度进度"),
        ('城关/镇:"新区"\n', "城关_镇_新区"),
        ("a\\b*c?d<e>f|g", "a_b_c_d_e_f_g"),
        ("..隐藏", "隐藏"),
        ("  区 教育 局 ", "区_教育_局"),
        ("\x07", "_"),
        ("", "_"),
        ("///", "_"),
    ],
)
def test_a_file_name_keeps_no_character_a_file_system_refuses(name: str, safe: str) -> None:
    assert file_safe(name) == safe
