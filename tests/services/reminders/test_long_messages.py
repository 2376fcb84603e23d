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


def test_the_escalation_list_is_one_line_a_unit_most_overdue_first_and_fits_a_screen() -> None:
    """The admins' list counts people and 单位班子 apart and names each unit once, the most
    overdue first, within 30 lines however many units; the people are in /interview."""
    directory = _district(600)
    entries = []
    number = 0
    for unit_id in directory.units:
        for seat in range(3):
            for _ in range(2 if seat == 0 else 1):
                number += 1
                due = _due(number, unit_id, unit_id * 10 + seat, overdue=20 + number % 9)
                entries.append(Entry(due, "A", None))
    entries.append(Entry(_due(number + 1, 7, None, overdue=90), "A", None))  # a 单位班子 item
    admin = Recipient(1, "管理员", 1, 99, False)
    text, _ = words.render(
        Outgoing(admin, LadderRules(), entries), today=TODAY, directory=directory
    )
    lines = text.split("\n")
    assert "【" not in text and len(lines) <= 30 and units(text) <= LIMIT
    assert "共 600 个单位、1800 人及 1 个单位班子、2401 项" in lines[1]
    assert lines[2].startswith(
        f"<b>{directory.units[7]}</b>：3 人、单位班子，5 项，最久已逾期 90 天"
    )
    assert "……另有 576 个单位" in text and "/interview" in lines[-1]


def test_the_secretarys_digest_counts_each_holder_and_says_a_shared_deadline_once() -> None:
    directory = _district(1)
    entries = [Entry(_due(n, 1, 10 + n % 3, overdue=6), "S", None) for n in range(30)]
    entries += [Entry(_due(n, 1, None, overdue=6), "S", None) for n in range(30, 33)]
    secretary = Recipient(99, "刘佳", 1, 999, False)
    text, _ = words.render(
        Outgoing(secretary, LadderRules(), entries), today=TODAY, directory=directory
    )
    lines = text.split("\n")
    assert len(lines) <= 30 and text.count("已逾期 6 天") == 1
    assert f"3 人、单位班子，共 33 项，均截止 {TODAY - timedelta(days=6)} · 已逾期 6 天" in text
    assert "🔴 干部1-0 10 项：" in text and "🔴 单位班子 3 项：" in text
    assert "/unit" in lines[-1]


def test_the_secretarys_digest_puts_the_most_overdue_first() -> None:
    directory = _district(1)
    entries = [Entry(_due(1, 1, 10, overdue=3), "S", None)]
    entries += [Entry(_due(n, 1, 11, overdue=n), "S", None) for n in (2, 40)]
    secretary = Recipient(99, "刘佳", 1, 999, False)
    text, _ = words.render(
        Outgoing(secretary, LadderRules(), entries), today=TODAY, directory=directory
    )
    assert text.index("干部1-1 2 项：【U01-002】【U01-040】 · 最久已逾期 40 天") < text.index(
        "干部1-0 1 项：【U01-001】 · 截止"
    )


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
