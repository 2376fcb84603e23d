"""In the chat: /duplicates leaves assigned tasks out, and a group of copies is one line."""

from __future__ import annotations

from sqlmodel import col, select

from bot.services.oversight.assign_parse import SOURCE_MARK
from storage.models import DutyType, Frequency, Item, ListKind, Person, ScopeKind
from tests.handlers.conftest import NOW, District
from tests.handlers.test_admin import workbook

ADMIN = "P0001"
TAIL = ("", "", "U01", "")  # 完成时限, 牵头领导, 主责单位, 协办单位
MEMBERS = 12  # of 城关镇, each holding the same three template items
TEMPLATE = (
    ("严格落实中央八项规定精神，带头纠治“四风”", "每月自查一次公务接待、公车使用情况"),
    ("加强分管领域廉政风险排查，建立风险台账", "每半年更新一次风险点和防控措施"),
    ("督促分管部门落实党风廉政建设工作任务", "每季度听取一次分管部门工作汇报"),
)


async def test_assigned_tasks_are_not_individual_lists(district: District) -> None:
    async with district.app.sessions() as session:
        people = (
            await session.exec(select(Person).where(col(Person.code).in_(["P0102", "P0103"])))
        ).all()
        for number, holder in enumerate(people, start=1):
            session.add(
                Item(
                    code=f"JB{number:03d}",
                    list_kind=ListKind.INDIVIDUAL,
                    duty_type=DutyType.MAIN,
                    scope_kind=ScopeKind.PERSON,
                    scope_person_id=holder.id,
                    content="牵头完成年终党风廉政建设考核材料报送",
                    measures=f"{SOURCE_MARK}区纪委监委交办",
                    frequency=Frequency.ONCE,
                    deadline="2027-01-10",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        await session.commit()
    listed = await district.say(ADMIN, "/duplicates")
    assert "JB00" not in listed and "未发现疑似照抄" in listed, listed


async def test_members_sharing_template_items_are_one_line_a_group(district: District) -> None:
    people = [[f"P8{n:03d}", f"成员{n:02d}", "U01", "党委委员", "班子成员"] for n in range(MEMBERS)]
    items = [
        [f"I8{n:03d}{k}", "个性", "主体责任", f"P8{n:03d}", content, measures, "", "每季度", *TAIL]
        for n in range(MEMBERS)
        for k, (content, measures) in enumerate(TEMPLATE)
    ]
    sent = await district.chat.send_document(
        district.tg(ADMIN), workbook({"人员": people, "责任清单": items}), "名单.xlsx"
    )
    report = "\n".join(s.plain for s in sent if s.method == "sendMessage")
    assert "导入完成" in report, report
    assert "疑似照抄清单：3 组" in report
    replies = await district.chat.send_text(district.tg(ADMIN), "/duplicates")
    assert len(replies) == 1, len(replies)
    listed = replies[0].plain
    assert len(listed.splitlines()) <= 3 * 2 + 4, listed
    assert listed.count(f"{MEMBERS} 人") == 3, listed
    assert "成员00" in listed and " 人，例如【" in listed and "人：例" not in listed
