"""半年报告 service: what the body says, the Word document, one submit under a race."""

from __future__ import annotations

import asyncio
import io
from datetime import date

from docx import Document
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.calendar.periods import period_of_key
from bot.services.exports.report_docx import Entry, Section, build_docx
from bot.services.ledger.review_periods import system_due_item
from bot.services.records import report
from bot.services.records.writing import add_record
from bot.texts import report as words
from storage.models import DueItem, Holding, Item, Record
from tests.services.helpers import NOW
from tests.services.records.test_selfcheck import TODAY, district, viewer


async def _due(session: AsyncSession, item: str, period_key: str, unit_id: int) -> int:
    found = (
        await session.exec(
            select(DueItem.id)
            .join(Holding, col(Holding.id) == col(DueItem.holding_id))
            .join(Item, col(Item.id) == col(Holding.item_id))
            .where(
                col(Item.code) == item,
                col(DueItem.period_key) == period_key,
                col(Holding.unit_id) == unit_id,
            )
        )
    ).first()
    assert found is not None
    return found


async def test_the_body_groups_by_duty_and_item_and_names_what_was_not_recorded(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    async with sessions() as session:
        who = await viewer(session, "P0101")
        for origin, item, key, text, day in (
            ("t1", "C05", "2026-Q4", "与班子成员开展廉政谈话", date(2026, 11, 20)),
            ("t2", "D01", "2026-11", "更新11月党风廉政建设台账", date(2026, 11, 21)),
            ("t3", None, "", "参加区纪委廉政培训", date(2026, 10, 9)),
            ("t4", None, "", "上半年的一条记实", date(2026, 5, 9)),
        ):
            due = await _due(session, item, key, who.unit_id) if item else None
            await add_record(
                session,
                origin=origin,
                due_item_id=due,
                author_id=who.person_id,
                unit_id=who.unit_id,
                text=text,
                happened_on=day,
                now=NOW,
            )
        undone = await _due(session, "C06", "2026-Q4", who.unit_id)
        for origin, voids in (("t5", None), ("t6", "t5")):
            target = await session.exec(select(Record.id).where(col(Record.origin) == voids))
            await add_record(
                session,
                origin=origin,
                due_item_id=undone,
                author_id=who.person_id,
                unit_id=who.unit_id,
                text="撤销前的记实",
                happened_on=TODAY,
                now=NOW,
                voids_id=target.first() if voids else None,
            )
        half = period_of_key("2026-H2")
        assert half is not None
        compiled = await report.compile_half(session, viewer=who, period=half, today=TODAY)
        body = words.body(words.outline(compiled))
    lines = body.splitlines()
    assert lines[0] == "一、履行主体责任情况"
    assert lines[1:3] == [
        "【C05】与班子成员开展廉政谈话和谈心谈话",
        "　　11月20日，与班子成员开展廉政谈话。",
    ]
    d01 = lines.index("【D01】建立党风廉政建设工作台账，每月更新履责记实（单位班子）")
    assert lines[d01 + 1] == "　　11月21日，更新11月党风廉政建设台账。"
    assert "二、履行监督责任情况" in lines and "　　本期没有已记实的事项。" in lines
    assert lines[lines.index("三、其他履责记实") + 1] == "　　10月9日，参加区纪委廉政培训。"
    assert "上半年的一条记实" not in body and "撤销前的记实" not in body
    assert "　　2026年第三季度：未提交" in lines
    missing = lines.index("五、本期未记实事项")
    assert "【C06】严格落实“三重一大”集体决策制度，做到决策全程留痕" in lines[missing:]
    assert "【C05】与班子成员开展廉政谈话和谈心谈话" not in lines[missing:]


def test_the_word_document_opens_and_carries_every_part() -> None:
    data = build_docx(
        title="2026年下半年履行全面从严治党责任情况报告",
        header=[
            ("单位", "城关镇"),
            ("姓名", "陈立新"),
            ("职务", "镇党委书记"),
            ("报告期", "2026年7月1日至2026年12月31日"),
        ],
        sections=[
            Section(
                "一、履行主体责任情况",
                [Entry("【C05】与班子成员开展廉政谈话", item=True), Entry("2026-11-20 谈话 <b>&")],
            )
        ],
        closing_title="结束语",
        closing="下一步将继续压实责任。\n第二段。",
    )
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:5] == [
        "2026年下半年履行全面从严治党责任情况报告",
        "单位：城关镇",
        "姓名：陈立新",
        "职务：镇党委书记",
        "报告期：2026年7月1日至2026年12月31日",
    ]
    assert "2026-11-20 谈话 <b>&" in paragraphs  # plain text, nothing escaped twice
    assert paragraphs[-3:] == ["结束语", "下一步将继续压实责任。", "第二段。"]
    assert document.paragraphs[0].runs[0].bold
    styles = {p.text: p.style.name if p.style else "" for p in document.paragraphs}
    assert styles["一、履行主体责任情况"] == styles["结束语"] == "Heading 1"
    assert styles["【C05】与班子成员开展廉政谈话"] == "Heading 2"
    assert styles["2026-11-20 谈话 <b>&"] == styles["第二段。"] == "Normal"


async def test_two_submits_at_once_store_one_report_and_one_record(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await district(sessions)
    async with sessions() as session:
        who = await viewer(session, "P0103")
        paper = await report.begin(session, viewer=who, period_key="2026-H2", now=NOW, today=TODAY)
        await report.set_closing(session, viewer=who, report_id=paper.id, closing="结束语")
        await session.commit()

    async def submit() -> bool:
        async with sessions() as session:
            done = await report.submit(
                session, viewer=who, report_id=paper.id, body="正文", today=TODAY, now=NOW
            )
            await session.commit()
            return done.fresh

    assert sorted(await asyncio.gather(submit(), submit())) == [False, True]
    async with sessions() as session:
        [made] = (await session.exec(select(Record))).all()
        bg = await system_due_item(
            session, person_id=who.person_id, system="report", period_key="2026-H2"
        )
        assert made.due_item_id == bg and made.origin == f"report:{paper.id}"
        stored = await report.load_paper(session, viewer=who, report_id=paper.id)
        assert (stored.state.value, stored.body, stored.closing) == ("submitted", "正文", "结束语")
