"""/web through the production Dispatcher (real Updates), and the pages' figures against the bot's
own replies: /units, /progress and the /export workbook."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.localchat.chatlog import Sent
from bot.services.records.writing import add_record
from bot.texts import exports as export_words
from storage.models import DueItem, Holding, Item, Person
from tests.handlers.conftest import NOW, District
from tests.web.conftest import COOKIE, LINK, serve, session_cookie, web_deps

ADMIN, SECRETARY, FIRST = "P0001", "P0105", "P0101"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _record(d: District, who: str, item: str, period: str, text: str, **more: object) -> int:
    async with d.app.sessions() as session:
        person = (await session.exec(select(Person).where(col(Person.code) == who))).one()
        due = (
            await session.exec(
                select(DueItem)
                .join(Holding, col(Holding.id) == col(DueItem.holding_id))
                .join(Item, col(Item.id) == col(Holding.item_id))
                .where(
                    col(Holding.person_id) == person.id,
                    col(Item.code) == item,
                    col(DueItem.period_key) == period,
                )
            )
        ).one()
        assert person.id is not None
        added = await add_record(
            session,
            origin=f"web-test:{who}:{item}:{text}",
            due_item_id=due.id,
            author_id=person.id,
            unit_id=person.unit_id,
            text=text,
            happened_on=date(2026, 11, 20),
            now=NOW,
            **more,  # type: ignore[arg-type]
        )
        await session.commit()
        assert added.record.id is not None
        return added.record.id


def _row(page: str, name: str) -> str:
    """The table row of the page that links the unit `name`."""
    [row] = [r for r in page.split("<tr>") if f">{name}</a>" in r]
    return row


def _sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize("backend", ["sqlite"])  # sign-in and scope run on both: test_access.py
async def test_web_link_opens_pages_with_the_bots_own_figures(district: District) -> None:
    photo = district.fake.add_file(PNG, "现场.jpg")
    first = await _record(
        district,
        FIRST,
        "C01",
        "2026-Q4",
        "召开党委会<b>专题</b>研究",
        file_id=photo,
        file_kind="photo",
    )
    await _record(
        district, FIRST, "C01", "2026-Q4", "召开党委会专题研究（更正）", corrects_id=first
    )
    client = await serve(web_deps(district))
    try:
        stranger = await district.chat.send_text(424242, "/web")  # not bound: no link
        assert stranger and all("/web/login/" not in sent.plain for sent in stranger)
        reply = await district.say(ADMIN, "/web")
        assert "10 分钟内有效" in reply and "全区" in reply
        match = LINK.search(reply)
        assert match is not None
        login = await client.get(f"/web/login/{match[1]}")
        admin = {"Cookie": f"{COOKIE}={session_cookie(login)}"}
        page = await (await client.get("/web/district", headers=admin)).text()
        # every unit's figures as /units states them
        units = await district.say(ADMIN, "/units")
        lines = re.findall(r"· (\S+?)：完成 (\d+%)（(\d+/\d+)），及时 (\d+%)", units)
        assert len(lines) >= 10
        for name, done, counts, timely in lines:
            row = _row(page, name)
            assert counts in row and done in row and timely in row, name
        # the 联络员's /web opens her unit, with /progress's numbers
        secretary_reply = await district.say(SECRETARY, "/web")
        assert "城关镇" in secretary_reply and "全区" not in secretary_reply
        match = LINK.search(secretary_reply)
        assert match is not None
        login = await client.get(f"/web/login/{match[1]}")
        mine = {"Cookie": f"{COOKIE}={session_cookie(login)}"}
        unit_page = await (await client.get("/web/units/U01", headers=mine)).text()
        caption = await district.say(SECRETARY, "/progress")
        total = re.search(r"合计：已完成 (\d+)/(\d+)", caption)
        assert total is not None
        assert f"本季度到期 {total[2]} 项：已完成 <strong>{total[1]}</strong>" in unit_page
        chen = re.search(r"陈立新 (\d+/\d+)", caption)
        assert chen is not None and f'陈立新</td><td class="n">{chen[1]}' in unit_page
        # the person page: the photo as a thumbnail, the correction chain, text escaped
        person = await (await client.get(f"/web/people/{FIRST}", headers=mine)).text()
        assert f'src="/web/files/{first}"' in person and f'已被 <a href="#r{first + 1}">' in person
        assert "&lt;b&gt;专题&lt;/b&gt;" in person and "<b>专题</b>" not in person
        file = await client.get(f"/web/files/{first}", headers=mine)
        assert file.status == 200 and await file.read() == PNG
        # the workbook is the one /export sends, sheet for sheet
        [years] = await district.chat.send_text(district.tg(SECRETARY), "/export")
        [_toast, quarters] = await _press(district, years, "2026年")
        sent = await _press(district, quarters, export_words.WHOLE_YEAR)
        [document] = [s for s in sent if s.method == "sendDocument"]
        web_book = await client.get("/web/units/U01/ledger/2026.xlsx", headers=mine)
        assert web_book.status == 200
        assert "filename*=UTF-8''" in web_book.headers["Content-Disposition"]
        assert _sheets(await web_book.read()) == _sheets(document.document or b"")
    finally:
        await client.close()


async def _press(d: District, message: Sent, label: str) -> list[Sent]:
    assert message.message_id is not None
    return await d.chat.press(d.tg(SECRETARY), message.message_id, label)
