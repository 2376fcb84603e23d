"""Web view fixtures: the sample district's running bot, and the web app over its database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import web_deps as app_web_deps
from bot.clock import ManualClock
from bot.localchat.demo import setup_demo
from bot.services.directory.web_access import issue_link
from bot.services.oversight.ranking import RankingRules
from bot.web.app import standalone
from bot.web.context import WebDeps
from storage.models import Person
from tests.conftest import DISTRICT
from tests.handlers.conftest import NOW, ZONE, District, district  # noqa: F401  (the fixture)

COOKIE = "lvze_web"
LINK = re.compile(r"/web/login/([A-Za-z0-9_-]+)")


@dataclass
class Web:
    """The web app under test over the sample district's database, on a manual clock."""

    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock
    client: TestClient[web.Request, web.Application]

    async def link(self, code: str) -> str:
        """A fresh one-time link token for a person (as /web issues it)."""
        async with self.sessions() as session:
            person = (await session.exec(select(Person).where(Person.code == code))).one()
            assert person.id is not None
            return await issue_link(session, person_id=person.id, now=self.clock.now())

    async def login(self, code: str) -> str:
        """Sign in as a person by a fresh link; the session cookie's value."""
        response = await self.client.get(f"/web/login/{await self.link(code)}")
        assert response.status == 200, await response.text()
        return session_cookie(response)

    async def get(self, path: str, cookie: str | None) -> tuple[int, str]:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        response = await self.client.get(path, headers=headers, allow_redirects=False)
        return response.status, await response.text()

    async def raw(self, path: str, cookie: str) -> ClientResponse:
        return await self.client.get(path, headers={"Cookie": f"{COOKIE}={cookie}"})


def session_cookie(response: ClientResponse) -> str:
    """The session cookie set by a login, after checking its attributes."""
    header = response.headers.get("Set-Cookie", "")
    assert header.startswith(f"{COOKIE}="), header
    lowered = header.lower()
    for attribute in ("httponly", "secure", "samesite=strict", "path=/web/", "max-age=28800"):
        assert attribute in lowered, header
    return header.split(";", 1)[0].split("=", 1)[1]


def web_deps(d: District) -> WebDeps:
    """The web app's dependencies beside a running bot, as bot.app composes them."""
    return app_web_deps(d.app)


async def serve(wired: WebDeps) -> TestClient[web.Request, web.Application]:
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(standalone(wired)))
    await client.start_server()
    return client


@pytest.fixture
async def site(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Web]:
    """The web app on a test server over the sample district, everyone bound (no bot: quick)."""
    await setup_demo(sessions, data=DISTRICT, now=NOW, zone=ZONE)  # imported, everyone bound
    clock = ManualClock(NOW)
    wired = WebDeps(sessions=sessions, clock=clock, zone=ZONE, ranking=RankingRules())
    client = await serve(wired)
    try:
        yield Web(sessions, clock, client)
    finally:
        await client.close()
