"""Sign-in and scope on SQLite and PostgreSQL: a link opens one session once, links and sessions
expire, and every page checks the signed-in person's scope on the server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot.services.directory.binding import unbind_person
from storage.models import Person
from tests.web.conftest import Web, session_cookie

ADMIN, SECRETARY, MEMBER = "P0001", "P0105", "P0102"


async def test_links_open_one_session_once_and_expire_and_sessions_expire(site: Web) -> None:
    token = await site.link(ADMIN)
    first = await site.client.get(f"/web/login/{token}")
    assert first.status == 200 and "正在进入" in await first.text()
    cookie = session_cookie(first)  # HttpOnly; Secure; SameSite=Strict; Path=/web/; 8 hours
    assert (await site.get("/web/", cookie))[0] == 303
    status, body = await site.get("/web/district", cookie)
    assert status == 200 and "镇街类" in body and "排名" in body
    # reused: refused, no second session
    again = await site.client.get(f"/web/login/{token}")
    assert again.status == 410 and "已使用过" in await again.text()
    assert "Set-Cookie" not in again.headers
    # four browsers open one link at the same moment: one session (a conditional UPDATE)
    shared = await site.link(SECRETARY)
    answers = await asyncio.gather(*(site.client.get(f"/web/login/{shared}") for _ in range(4)))
    assert sorted(answer.status for answer in answers) == [200, 410, 410, 410]
    # a link older than 10 minutes: refused; the session lasts 8 hours, then it is refused too
    stale = await site.link(ADMIN)
    site.clock.advance(timedelta(minutes=10, seconds=1))
    status, body = await site.get(f"/web/login/{stale}", None)
    assert status == 410 and "已过期" in body and "/web" in body
    assert (await site.get("/web/district", cookie))[0] == 200
    site.clock.advance(timedelta(hours=8))
    status, body = await site.get("/web/district", cookie)
    assert status == 401 and "发送 /web" in body
    # no session, a forged cookie, a guessed link
    for path in ("/web/district", "/web/units/U01", "/web/people/P0101", "/web/files/1"):
        status, body = await site.get(path, None)
        assert status == 401 and "发送 /web" in body, path
    assert (await site.get("/web/units/U01", "not-a-session"))[0] == 401
    status, body = await site.get("/web/login/guessed-token", None)
    assert status == 410 and "无效" in body


async def test_every_page_checks_the_scope(site: Web) -> None:
    admin = await site.login(ADMIN)
    for path in ("/web/units/U02", "/web/people/P0204", "/web/notices", "/web/pending"):
        assert (await site.get(path, admin))[0] == 200, path
    for path in ("/web/units/U99", "/web/people/P9999", "/web/nowhere", "/web/district?p=2027"):
        status, body = await site.get(path, admin)
        assert status == 404 and ("没有找到" in body or "尚未开始" in body), path
    # a 联络员: her unit and its people; another unit's pages or workbook, the district: 403
    secretary = await site.login(SECRETARY)
    status, body = await site.get("/web/units/U01", secretary)
    assert status == 200 and "城关镇" in body and "年度工作任务清单" in body
    assert (await site.get("/web/people/P0102", secretary))[0] == 200
    for path in ("/web/units/U02", "/web/units/U02/ledger/2026.xlsx", "/web/people/P0204"):
        status, body = await site.get(path, secretary)
        assert status == 403 and "只能查看本单位（城关镇）" in body, path
    for path in ("/web/district", "/web/district/2026-Q3.xlsx", "/web/notices"):
        status, body = await site.get(path, secretary)
        assert status == 403 and "仅区纪委监委管理员" in body, path
    status, body = await site.get("/web/pending", secretary)
    assert status == 200 and "城关镇" in body
    # an official: his own page and list; the district, his unit, a colleague: 403
    official = await site.login(MEMBER)
    status, body = await site.get("/web/people/P0102", official)
    assert status == 200 and "履责记实" in body
    status, body = await site.get("/web/district", official)
    assert status == 403 and "仅区纪委监委管理员" in body
    for path in ("/web/units/U01", "/web/people/P0101", "/web/units/U01/progress.png"):
        status, body = await site.get(path, official)
        assert status == 403 and "只能查看本人" in body, path
    assert (await site.get("/web/pending", official))[0] == 200
    # unbound (a lost phone) or deactivated after signing in: signed out at the next page
    async with site.sessions() as session:
        await unbind_person(session, person_code=SECRETARY, now=site.clock.now())
    assert (await site.get("/web/units/U01", secretary))[0] == 401
    async with site.sessions() as session:
        await session.exec(update(Person).where(col(Person.code) == ADMIN).values(active=False))
        await session.commit()
    assert (await site.get("/web/district", admin))[0] == 401
    assert (await site.get("/web/people/P0102", official))[0] == 200


async def test_ids_and_numbers_no_column_holds_are_404_or_ignored_not_500(site: Web) -> None:
    admin = await site.login(ADMIN)
    for number in ("99999999999999999999", str(2**63), str(2**31), "²", "0"):
        for path in (f"/web/files/{number}", f"/web/notices/{number}"):
            status, body = await site.get(path, admin)
            assert status == 404 and ("没有找到" in body or "没有这个附件" in body), (path, status)
        for path in (f"/web/notices?page={number}", f"/web/people/P0101?page={number}"):
            assert (await site.get(path, admin))[0] == 200, path  # the first page
        for path in (f"/web/units/U01?year={number}", f"/web/units/U01/ledger/{number}.xlsx"):
            assert (await site.get(path, admin))[0] == 404, path
