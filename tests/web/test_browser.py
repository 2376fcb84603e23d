"""The web view in a real headless Chromium (Debian's, driven by playwright): sign in by the /web
link, see the ranking, open a unit, download its workbook; screenshots for the README (docs/)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook
from playwright.async_api import Page, async_playwright
from sqlmodel import col, select

from bot.cli_web import demo_picture
from bot.localchat.history import PHOTOS, load_history
from bot.localchat.history_plan import PHOTO_IDS
from bot.services.exports.ledger_xlsx import SHEETS
from bot.web.app import standalone
from storage.models import Person, Record
from tests.conftest import PROJECT
from tests.handlers.conftest import NOW, ZONE, District
from tests.web.conftest import COOKIE, LINK, web_deps

CHROMIUM = Path("/usr/bin/chromium")
DOCS = PROJECT / "docs"
ADMIN = "P0001"


async def _page_with_photo(page: Page, url: str) -> Page:
    """The person's records page (of the first five) that shows a photo."""
    for number in range(1, 6):
        await page.goto(f"{url}?page={number}")
        if await page.locator("img.thumb").count():
            return page
    raise AssertionError(f"no photo on {url}")


@pytest.mark.parametrize("backend", ["sqlite"])  # the browser's part; the database's is test_access
async def test_in_chromium_sign_in_see_the_ranking_open_a_unit_and_download(
    district: District,
) -> None:
    if not CHROMIUM.exists():  # noqa: ASYNC240
        pytest.fail(
            f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium（apt-get install -y chromium；"
            ".ci/run 会自动安装）。"
        )
    await load_history(district.app.sessions, now=NOW, zone=ZONE)  # a year of records
    picture = await asyncio.to_thread(demo_picture)  # its evidence, a picture for the browser
    for file_id, (name, _stub) in PHOTOS.items():
        district.fake.files[file_id] = (name, picture, f"photos/{file_id}.jpg")
    async with district.app.sessions() as session:
        author = (
            await session.exec(
                select(Person.code)
                .join(Record, col(Record.author_id) == col(Person.id))
                .where(col(Record.file_id) == PHOTO_IDS[0])
            )
        ).first()
    server = TestServer(standalone(web_deps(district)), host="127.0.0.1")
    await server.start_server()
    reply = await district.say(ADMIN, "/web")
    match = LINK.search(reply)
    assert match is not None
    link = f"http://127.0.0.1:{server.port}/web/login/{match[1]}"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            context = await browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
            )
            page = await context.new_page()
            await page.goto(link)
            await page.wait_for_url("**/web/district")
            # the Secure cookie was kept over http://127.0.0.1 (a secure context for Chromium)
            [cookie] = [c for c in await context.cookies() if c["name"] == COOKIE]
            assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
            await page.click("text=2026年第三季度")
            await page.wait_for_url("**/web/district?p=2026-Q3")
            assert await page.locator("table.ranking").count() == 4
            chart = page.locator("img.chart")
            await chart.scroll_into_view_if_needed()
            await page.wait_for_function(
                "() => document.querySelector('img.chart').naturalWidth > 0"
            )
            await page.screenshot(path=str(DOCS / "web-district.png"), full_page=True)
            await page.locator("table.ranking a", has_text="城关镇").first.click()
            await page.wait_for_url("**/web/units/U01")
            assert await page.locator("text=年度工作任务清单").count() >= 1
            await page.screenshot(path=str(DOCS / "web-unit.png"))
            async with page.expect_download() as started:
                await page.click("#export")
            download = await started.value
            assert download.suggested_filename == "城关镇_2026年台账.xlsx"
            saved = await download.path()
            book = load_workbook(io.BytesIO(Path(saved).read_bytes()))  # noqa: ASYNC240
            assert book.sheetnames == list(SHEETS)
            # the person with the history's first photo: the thumbnail loads through getFile
            photo_page = await _page_with_photo(
                page, f"http://127.0.0.1:{server.port}/web/people/{author}"
            )
            thumb = photo_page.locator("img.thumb").first
            await thumb.scroll_into_view_if_needed()
            await photo_page.wait_for_function(
                "() => [...document.querySelectorAll('img.thumb')].every(i => i.naturalWidth > 0)"
            )
            await page.screenshot(path=str(DOCS / "web-person.png"))
            # the history's notice: 已阅 counts and who has not read; the district's overdue list
            await page.goto(f"http://127.0.0.1:{server.port}/web/notices")
            assert "10/18" in await page.locator("table.notices").inner_text()
            await page.locator("table.notices a", has_text="未阅名单").first.click()
            assert "尚未确认阅读" in await page.content()
            await page.screenshot(path=str(DOCS / "web-notice.png"))
            await page.goto(f"http://127.0.0.1:{server.port}/web/pending")
            assert "逾期" in await page.locator("table.pending").inner_text()
            await page.goto(link)  # the link again: refused, in Chinese
            assert "已使用过" in await page.locator("#refused").inner_text()
            await browser.close()
    finally:
        await server.close()
