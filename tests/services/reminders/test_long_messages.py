"""Long reminders and 约谈提醒 lists split between groups (a unit, an item), never inside one."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.directory.recipients import Directory, Recipient
from bot.services.reminders.ladder import LadderRules
from bot.services.reminders.run import Due, Entry, Outgoing
from bot.telegram.text_parts import LIMIT, split_text, units
from bot.texts import reminders as words

TODAY = date(2026, 12, 3)
CONTINUED = "（续）"  # what a continued part adds to its group's header
UNITS = ["区市场监管局", "区发展改革局", "区教育局", "区卫生健康局", "区住房城乡建设局"]


def _unit_names(count: int) -> list[str]:
    extra = [f"区第{n}街道办事处" for n in range(count)]
    return (UNITS + extra)[:count]


CONTENT = "专题研究部署党风廉政建设工作并督促班子成员落实“一岗双责”要求"


def _due(
    number: int, unit_id: int, holder: int | None, *, overdue: int, content: str = CONTENT
) -> Due:
    due = TODAY - timedelta(days=overdue)
    return Due(
        due_item_id=number,
        item_code=f"U{unit_id:02d}-{number:03d}",
        content=content,
        period_key="2026Q3",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        nominal=due,
        effective=due,
        system=None,
        unit_id=unit_id,
        holder_id=holder,
        created_on=date(2026, 7, 1),
    )


def _district(unit_count: int) -> Directory:
    directory = Directory()
    for unit_id, name in enumerate(_unit_names(unit_count), start=1):
        directory.units[unit_id] = name
        for seat in range(3):
            person_id = unit_id * 10 + seat
            directory.people[person_id] = Recipient(
                person_id, f"干部{unit_id}-{seat}", unit_id, 1000 + person_id, False
            )
    return directory


def _header_of(line: str) -> str | None:
    """The unit a 约谈提醒 part's line heads (a unit header or its continuation), else None."""
    if line.startswith("<b>") and "</b>" in line:  # <b>城关镇</b>（3 人，4 项）, maybe （续）
        return line.removeprefix("<b>").split("</b>")[0]
    return None


def test_the_escalation_list_is_a_summary_by_unit_and_splits_between_units() -> None:
    """The admins' list names each unit and each person once with counts (the items are in
    /interview); a district of 600 units still splits between units, each part naming its unit."""
    directory = _district(600)
    entries = []
    number = 0
    for unit_id in directory.units:
        for seat in range(3):
            for _ in range(2 if seat == 0 else 1):
                number += 1
                due = _due(number, unit_id, unit_id * 10 + seat, overdue=20 + number % 9)
                entries.append(Entry(due, "A", None))
    admin = Recipient(1, "管理员", 1, 99, False)
    text, _ = words.render(
        Outgoing(admin, LadderRules(), entries), today=TODAY, directory=directory
    )
    assert "【" not in text  # no item lines: one line per person
    assert text.count("最久已逾期") == 3 * 600
    assert "共 600 个单位、1800 人（含单位班子）、2400 项" in text
    assert units(text) > 2 * LIMIT

    parts = split_text(text)

    assert len(parts) >= 3
    assert all(units(part) <= LIMIT for part in parts)
    assert parts[0].startswith("⚠️ <b>约谈提醒名单</b>")
    unit_of_person = {
        directory.name(e.due.holder_id): directory.units[e.due.unit_id] for e in entries
    }
    seen: list[str] = []
    for part in parts:
        lines = part.split("\n")
        if part is not parts[0]:
            assert _header_of(lines[0]) is not None, lines[0]  # each part starts with its unit
        heading: str | None = None
        for line in lines:
            if _header_of(line) is not None:
                heading = _header_of(line)
            if "最久已逾期" in line:
                person = line.split("：")[0]
                assert heading == unit_of_person[person], line  # never cut from its unit
                seen.append(person)
        assert not lines[-1].startswith("<b>"), "a part never ends with a header alone"
    assert sorted(seen) == sorted(unit_of_person)  # every person once


def test_a_54_item_reminder_keeps_each_item_with_its_due_line_and_repeats_the_title() -> None:
    directory = _district(1)
    person = directory.people[10]
    longer = CONTENT + "，形成会议纪要并报区纪委监委备案"
    entries = [
        Entry(_due(n, 1, 10, overdue=7 - n % 15, content=longer), "T1", None) for n in range(1, 55)
    ]
    text, _ = words.render(
        Outgoing(person, LadderRules(), entries), today=TODAY, directory=directory
    )
    assert units(text) > LIMIT

    parts = split_text(text)

    assert len(parts) >= 2
    assert all(units(part) <= LIMIT for part in parts)
    title = text.split("\n")[0]
    assert parts[0].startswith(title)
    for part in parts[1:]:
        assert part.startswith(title + CONTINUED)
    for part in parts:
        lines = part.split("\n")
        for index, line in enumerate(lines):
            if line.startswith("　　截止"):  # the item's 截止 … 还剩 n 天 line
                assert index > 0 and "【U01-" in lines[index - 1], part[:200]
            if "【U01-" in line:
                assert lines[index + 1].startswith("　　截止")
    assert sum(part.count("【U01-") for part in parts) == 54
    assert sum(1 for part in parts if "【U01-" in part) >= 2  # the items themselves run over
    assert words.REPLY_HINT in parts[-1]


def test_a_group_longer_than_a_part_is_cut_between_entries_with_its_header_again() -> None:
    entries = "\n".join(f"条目{n} " + "字" * 40 + f"\n    第{n}条的说明" for n in range(200))
    text = f"开头\n\n<b>一个很长的组</b>\n{entries}\n\n<b>下一组</b>\n一条"

    parts = split_text(text, limit=1000)

    # cut anyway, the long group fills the part begun; its header never stands alone
    assert parts[0].startswith("开头\n\n<b>一个很长的组</b>\n条目0 ")
    assert all(p.startswith("<b>一个很长的组</b>" + CONTINUED + "\n条目") for p in parts[1:])
    assert all(units(part) <= 1000 for part in parts)
    assert not any(part.split("\n")[1].startswith("    第") for part in parts[1:])
    assert parts[-1].endswith("<b>下一组</b>\n一条")


def test_plain_text_without_a_bold_first_line_is_not_given_a_repeated_header() -> None:
    text = "各单位：\n" + "\n".join("通知正文" + "字" * 60 for _ in range(100))

    parts = split_text(text, limit=1000)

    assert len(parts) > 1
    assert not any(CONTINUED in part for part in parts)
    assert "\n".join(parts) == text  # cut only at line ends, nothing added or lost


def test_a_title_is_not_left_alone_before_a_long_group_without_a_header() -> None:
    body = "\n".join("各单位要认真组织学习。" * 20 for _ in range(30))  # no bold first line
    text = f"<b>📢 区纪委监委通知</b>\n\n{body}\n\n—— 管理员 12月3日发布。"

    parts = split_text(text, limit=2000)

    assert parts[0].startswith("<b>📢 区纪委监委通知</b>\n\n各单位")  # not the title alone
    assert all(units(part) <= 2000 for part in parts)
    assert parts[-1].endswith("—— 管理员 12月3日发布。")
    assert not any(CONTINUED in part for part in parts)
