"""In the chat: the 半年报告 fits a phone — a summary first (counts, gaps, buttons), the body
behind « 上一页 / 下一页 », each page checked for who presses it and which report it is."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from bot.localchat.chatlog import Sent
from bot.services.errors import Stale
from bot.services.records.writing import add_record
from bot.texts import paging
from bot.texts import report as words
from storage.models import DueItem, Holding, Item, Person, Report
from tests.handlers.conftest import NOW, District
from tests.handlers.test_selfcheck_chat import alert, forged, last_buttons

ACTIONS = [words.BUTTON_CLOSING, words.BUTTON_SUBMIT, words.BUTTON_CANCEL]
TALKS = 40  # C05 talks recorded in the half-year: the body alone is over 50 lines


def screen(message: Sent) -> int:
    """The lines a phone shows: the text and a line per row of buttons."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return len(message.plain.splitlines()) + len(rows)


def labels(message: Sent) -> list[str]:
    return [b["text"] for b in message.buttons]


async def many_talks(d: District) -> None:
    """陈立新 records TALKS 谈心谈话 (C05, 2026-Q4), one a day from 10月8日."""
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == "P0101"))).one()
        due = (
            await session.exec(
                select(DueItem)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(col(Item.code) == "C05", col(DueItem.period_key) == "2026-Q4")
                .where(col(Holding.person_id) == person.id)
            )
        ).one()
        assert person.id is not None
        for n in range(TALKS):
            await add_record(
                session,
                origin=f"test:talk:{n}",
                due_item_id=due.id,
                author_id=person.id,
                unit_id=person.unit_id,
                text=f"与班子成员第{n + 1}次谈心谈话",
                happened_on=date(2026, 10, 8) + timedelta(days=n),
                now=NOW,
            )
        await session.commit()


async def pages_after(d: District, summary: Sent) -> list[Sent]:
    """下一页 » from the summary, then on each page until there is none."""
    pages: list[Sent] = []
    shown = summary
    while shown.message_id is not None and paging.NEXT in labels(shown):
        sent = await d.chat.press(d.tg("P0101"), shown.message_id, paging.NEXT)
        shown = [s for s in sent if s.method == "sendMessage"][-1]
        pages.append(shown)
    return pages


async def test_a_long_report_is_a_summary_then_pages_that_each_fit_a_screen(
    district: District,
) -> None:
    d = district
    await many_talks(d)
    draft = last_buttons(await d.chat.send_text(d.tg("P0101"), "/report"))
    assert "一、主体责任：1 项有记实，共 40 条" in draft.plain
    assert "四、未记实：" in draft.plain and labels(draft) == [*ACTIONS, paging.NEXT]
    pages = await pages_after(d, draft)
    assert len(pages) >= 3
    assert all(screen(message) <= paging.SCREEN_LINES for message in [draft, *pages])
    assert all(labels(page)[:3] == ACTIONS for page in pages)  # 提交 from any page
    assert pages[0].plain.startswith(
        f"📄 半年报告草稿正文 · 2026年下半年（第 1 版） · 第 1/{len(pages)} 页"
    )
    assert "【C05】与班子成员开展廉政谈话和谈心谈话（续）" in pages[1].plain
    body = "\n".join(page.plain for page in pages)
    assert all(f"第{n + 1}次谈心谈话。" in body for n in range(TALKS))
    assert body.index("一、履行主体责任情况") < body.index("本期未记实事项")
    assert pages[-1].message_id is not None
    done = await d.chat.press(d.tg("P0101"), pages[-1].message_id, words.BUTTON_SUBMIT)
    assert [s for s in done if s.method == "sendDocument"]
    after = [s for s in done if s.method == "sendMessage"][-1]
    assert after.plain.startswith("✅ 已提交") and screen(after) <= paging.SCREEN_LINES
    assert labels(after) == [paging.NEXT]
    stored = await pages_after(d, after)
    assert [len(p.plain.splitlines()) for p in stored] == [len(p.plain.splitlines()) for p in pages]
    assert all(p.plain.startswith("📄 已提交的半年报告正文") for p in stored)
    assert all(set(labels(p)) <= {paging.PREVIOUS, paging.NEXT} for p in stored)  # no 提交


async def test_report_pages_refuse_others_forged_ids_and_cancelled_drafts(
    district: District,
) -> None:
    d = district
    await many_talks(d)
    draft = last_buttons(await d.chat.send_text(d.tg("P0101"), "/report"))
    data = (
        draft.reply_markup["inline_keyboard"][1][0]["callback_data"] if draft.reply_markup else ""
    )
    view, owner, report_id, _ = data.removeprefix("pg:").split(":")
    assert view == "report"
    someone = alert(await forged(d, "P0102", data))
    assert someone.show_alert and someone.text == paging.NOT_YOUR_PAGE
    bogus = alert(await forged(d, "P0101", f"pg:report:{owner}:x:0"))
    assert bogus.show_alert and bogus.text == words.STALE[Stale.GONE]
    theirs = last_buttons(await d.chat.send_text(d.tg("P0102"), "/report"))
    async with d.app.sessions() as session:
        other = (await session.exec(select(Report).where(col(Report.id) != int(report_id)))).one()
    assert theirs.message_id is not None
    foreign = alert(await forged(d, "P0101", f"pg:report:{owner}:{other.id}:0"))
    assert foreign.text == words.STALE[Stale.GONE]
    far = await forged(d, "P0101", f"pg:report:{owner}:{report_id}:99")
    [last] = [s for s in far if s.method == "sendMessage"]
    shown = int(last.plain.splitlines()[0].rsplit("第 ", 1)[1].split("/")[0])
    assert alert(far).text == paging.page_gone(shown - 1)
    assert labels(last) == [*ACTIONS, paging.PREVIOUS]
    assert draft.message_id is not None
    await d.chat.press(d.tg("P0101"), draft.message_id, words.BUTTON_CANCEL)
    gone = alert(await d.chat.press(d.tg("P0101"), draft.message_id, paging.NEXT))
    assert gone.show_alert and gone.text == words.STALE[Stale.CANCELLED]


async def test_a_closing_that_looks_like_a_section_stays_a_plain_line_of_the_last_page(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    draft = last_buttons(await d.chat.send_text(tg, "/report"))
    assert draft.message_id is not None
    sent = await d.chat.press(tg, draft.message_id, words.BUTTON_CLOSING)
    prompt = [s for s in sent if s.method == "sendMessage"][-1]
    typed = "一、下一步继续压实责任\n<b>补齐短板</b>"
    summary = last_buttons(await d.chat.send_text(tg, typed, reply_to=prompt.message_id))
    assert "（全文见正文末页）" in summary.plain  # two lines: the summary gives the start
    last = (await pages_after(d, summary))[-1]
    assert last.text is not None
    assert last.text.endswith("<b>结束语</b>\n一、下一步继续压实责任\n&lt;b&gt;补齐短板&lt;/b&gt;")
    assert "<b>二、履行监督责任情况</b>" in "".join(
        p.text or "" for p in await pages_after(d, summary)
    )
