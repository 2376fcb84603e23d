"""In the chat: long lists (/my, /unit, /close 人员编码, /pending) fit a phone's screen, the
counts first, the rest behind « 上一页 / 下一页 » buttons that check who presses and which page."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import col, select

from bot.localchat.chatlog import Sent
from bot.services.importing.apply import import_directory
from bot.services.importing.read import read_directory
from bot.texts import paging
from bot.texts import reminders as reminder_words
from storage.models import Person
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, District

ZONE = ZoneInfo("Asia/Shanghai")
ADMIN, OTHER_ADMIN, SECRETARY, FIRST, OTHER_SECRETARY = "P0001", "P0002", "P0105", "P0101", "P0204"


def screen(message: Sent) -> int:
    """The lines a phone shows for a message: its text and a row for its buttons."""
    return len(message.plain.splitlines()) + (1 if message.buttons else 0)


def labels(message: Sent) -> list[str]:
    return [b["text"] for b in message.buttons]


async def person_id(d: District, code: str) -> int:
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == code))).one()
    assert person.id is not None
    return person.id


async def forged(d: District, who: str, data: str) -> list[Sent]:
    """Press a button whose data the client made up (or kept from long ago)."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="旧按钮", callback_data=data)]]
    )
    [message] = await d.app.notifier.send(d.tg(who), "旧消息", reply_markup=keyboard)
    return await d.chat.press(d.tg(who), message.message_id, 1)


async def all_pages(d: District, who: str, first: Sent) -> list[Sent]:
    """The first page and every page after it, pressing 下一页 » until there is none."""
    pages = [first]
    while paging.NEXT in labels(pages[-1]):
        assert pages[-1].message_id is not None
        *_, nxt = await d.chat.press(d.tg(who), pages[-1].message_id, paging.NEXT)
        pages.append(nxt)
    return pages


async def test_my_list_shows_the_counts_and_open_items_first_and_pages_the_rest(
    district: District,
) -> None:
    await district.chat.advance(datetime(2026, 12, 31, 10, 0, tzinfo=ZONE))
    [first] = await district.chat.send_text(district.tg(FIRST), "/my")
    assert first.plain.startswith("📋 陈立新的责任清单（城关镇 · 镇党委书记） · 第 1/2 页")
    assert first.plain.splitlines()[1].startswith("截至 2026-12-31，共 15 项：")
    pages = await all_pages(district, FIRST, first)
    assert len(pages) == 2 and all(screen(page) <= paging.SCREEN_LINES for page in pages)
    assert labels(pages[1])[-1] == paging.PREVIOUS
    # every item is on one page, with its button there and nowhere else
    items = [b for page in pages for b in labels(page) if "【" in b]
    assert len(items) == 15
    text = "\n".join(page.plain for page in pages)
    assert text.count("⚠️【") == 4 and text.count("⏰【") == 9
    # an item button of the second page still opens that item's card
    assert pages[1].message_id is not None
    code = labels(pages[1])[0].split("【")[1]  # e.g. C09】
    sent = await district.chat.press(district.tg(FIRST), pages[1].message_id, 1)
    assert any(s.method == "sendMessage" and f"【{code}" in s.plain for s in sent), sent


async def test_unit_list_gives_the_counts_by_person_then_every_item_a_screen_a_page(
    district: District,
) -> None:
    [first] = await district.chat.send_text(district.tg(SECRETARY), "/unit")
    lines = first.plain.splitlines()
    assert lines[0].startswith("🏢 城关镇本期事项完成情况 · 第 1/")
    assert lines[1].startswith("截至 2026-11-23，共 39 项：")
    for name in ("陈立新", "李红霞", "赵德明", "孙志强", "单位班子"):
        assert any(line.startswith(f"{name} ") and " 项：" in line for line in lines), name
    assert "【" not in first.plain and labels(first) == [paging.NEXT]
    pages = await all_pages(district, SECRETARY, first)
    assert all(screen(page) <= paging.SCREEN_LINES for page in pages)
    details = "\n".join(page.plain for page in pages[1:])
    assert details.count("【") == 39 and "王海峰" not in details
    assert pages[1].plain.startswith(f"🏢 城关镇本期事项明细 · 第 2/{len(pages)} 页")


async def test_a_page_turns_in_the_message_it_is_on_not_in_a_new_one(
    district: District,
) -> None:
    [first] = await district.chat.send_text(district.tg(SECRETARY), "/unit")
    assert first.message_id is not None
    sent = await district.chat.press(district.tg(SECRETARY), first.message_id, paging.NEXT)
    assert not [s for s in sent if s.method == "sendMessage"]  # before: a copy a press
    [page] = [s for s in sent if s.method == "editMessageText"]
    assert page.message_id == first.message_id
    assert page.plain.startswith("🏢 城关镇本期事项明细 · 第 2/5 页")
    assert labels(page) == [paging.PREVIOUS, paging.NEXT]  # page 2's, page 1's gone with it
    *_, third = await district.chat.press(district.tg(SECRETARY), first.message_id, paging.NEXT)
    assert third.method == "editMessageText" and "第 3/5 页" in third.plain
    *_, back = await district.chat.press(district.tg(SECRETARY), first.message_id, paging.PREVIOUS)
    assert back.method == "editMessageText" and "第 2/5 页" in back.plain


async def test_page_buttons_refuse_another_person_and_clamp_a_page_that_is_gone(
    district: District,
) -> None:
    secretary, admin = await person_id(district, SECRETARY), await person_id(district, ADMIN)
    [answer, *shown] = await forged(district, OTHER_SECRETARY, f"pg:unit:{secretary}::1")
    assert answer.show_alert and answer.text == paging.NOT_YOUR_PAGE and not shown
    [answer, *shown] = await forged(district, FIRST, f"pg:my:{secretary}::0")
    assert answer.show_alert and answer.text == paging.NOT_YOUR_PAGE and not shown
    [answer, *shown] = await forged(district, OTHER_ADMIN, f"pg:close:{admin}:P0201:1")
    assert answer.show_alert and answer.text == paging.NOT_YOUR_PAGE and not shown
    sent = await forged(district, SECRETARY, f"pg:unit:{secretary}::99")
    [answer] = [s for s in sent if s.method == "answerCallbackQuery"]
    [page] = [s for s in sent if s.method == "editMessageText"]  # the page turned in place
    last = page.plain.splitlines()[0].rsplit("第 ", 1)[1].split("/")[0]
    assert answer.show_alert and answer.text == paging.page_gone(int(last) - 1)
    assert labels(page) == [paging.PREVIOUS]
    sent = await forged(district, SECRETARY, f"pg:unit:{secretary}::-3")
    [page] = [s for s in sent if s.method == "editMessageText"]
    assert "按人员" in page.plain


async def test_close_lists_what_a_holder_owes_with_its_counts_a_screen_a_page(
    district: District,
) -> None:
    [first] = await district.chat.send_text(district.tg(ADMIN), "/close P0201")
    assert first.plain.startswith("王海峰（P0201）未完成的事项 ")
    assert "逾期的在前" in first.plain.splitlines()[0]
    pages = await all_pages(district, ADMIN, first)
    assert len(pages) > 1 and all(screen(page) <= paging.SCREEN_LINES for page in pages)
    owed = int(first.plain.split("未完成的事项 ")[1].split(" 项")[0])
    assert sum(page.plain.count("/close P0201 ") for page in pages) == owed
    admin = await person_id(district, ADMIN)
    sent = await forged(district, ADMIN, f"pg:close:{admin}:P0201:50")
    [page] = [s for s in sent if s.method == "editMessageText"]
    assert page.plain == pages[-1].plain


async def test_every_pending_page_fits_a_screen_with_its_header(district: District) -> None:
    [first] = await district.chat.send_text(district.tg(SECRETARY), "/pending")
    pages = await all_pages(district, SECRETARY, first)
    assert len(pages) == 2
    assert all(screen(page) <= paging.SCREEN_LINES for page in pages)


async def test_a_reminder_button_pressed_by_a_secretary_says_what_to_do_then_pages_the_list(
    district: District, tmp_path: Path
) -> None:
    """开始写半年报告 pressed by a 联络员 (no report of their own): the intro, then /my's first
    page with its counts; a long list is no longer pasted whole under the intro."""
    folder = tmp_path / "district"
    shutil.copytree(DISTRICT, folder)
    with (folder / "items.csv").open("a", encoding="utf-8", newline="") as handle:
        for n in range(20):  # 20 more 单位班子 items: the 联络员's list is about 60 lines
            row = [f"X{n:03d}", "个性", "主体责任", "单位班子", f"第{n}项班子责任"]
            csv.writer(handle).writerow([*row, "", "", "每年", "12-31", "", "U01", ""])
    async with district.app.sessions() as session:
        await import_directory(session, tables=read_directory(folder), now=NOW, zone=ZONE)
    for flow in ("flow:report", "review:selfcheck:2026-Q4"):
        sent = [s for s in await forged(district, SECRETARY, flow) if s.method == "sendMessage"]
        intro, first = sent
        assert intro.plain.endswith(reminder_words.REVIEW_LIST)
        assert first.plain.startswith("📋 刘佳的责任清单（城关镇 · 党政办主任） · 第 1/")
        assert all(screen(message) <= paging.SCREEN_LINES for message in sent)
        pages = await all_pages(district, SECRETARY, first)
        assert sum(page.plain.count("【X0") for page in pages) == 20
