"""What every page handler is given (WebDeps), who is signed in, a refusal (Refused), a download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.services.directory.identity import Viewer
from bot.services.oversight.ranking import RankingRules
from bot.texts import web as words
from storage.models import Role


class FileSource(Protocol):
    """Where evidence files come from (the Bot API's getFile in production)."""

    async def fetch(self, file_id: str) -> bytes | None: ...


@dataclass(frozen=True)
class WebDeps:
    """The web app's dependencies, built by the caller (bot/app.py, the CLI, tests)."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    zone: ZoneInfo
    ranking: RankingRules
    files: FileSource | None = None
    base: str = "/web"  # where the app is mounted: links and the cookie's path
    secure_cookies: bool = True


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID_MAX = 2**31 - 1  # an INTEGER primary key (SQLite's are wider; nothing past this is ever made)
DEPS = web.AppKey("deps", WebDeps)
VIEWER = web.RequestKey("viewer", Viewer)


class Refused(Exception):
    """A page the signed-in person (or nobody) may not see: status and a Chinese reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def number_in(text: str, low: int, high: int) -> int | None:
    """A URL's whole number (ASCII digits only: `int` refuses "²", which `isdigit` takes) within
    low..high, or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def path_id(request: web.Request, name: str, missing: str = words.NOT_FOUND) -> int:
    """A row id from the path, or a 404 (`missing`) for one no id column holds: the primary keys
    are INTEGER, and a larger number would fail in the database driver (a 500), not be missed."""
    found = number_in(request.match_info[name], 1, ID_MAX)
    if found is None:
        raise Refused(404, missing)
    return found


def deps(request: web.Request) -> WebDeps:
    return request.config_dict[DEPS]


def viewer(request: web.Request) -> Viewer:
    """The signed-in person (the guard has checked there is one)."""
    found = request.get(VIEWER)
    if not isinstance(found, Viewer):
        raise Refused(401, words.NO_SESSION)
    return found


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page rendered with what every template shows: the base path and who is signed in."""
    context.setdefault("base", deps(request).base)
    me = request.get(VIEWER)
    context.setdefault("me", me)
    context.setdefault("secretary", isinstance(me, Viewer) and Role.SECRETARY in me.roles)
    context.setdefault("w", words)
    return aiohttp_jinja2.render_template(template, request, context, status=status)


def refusal(request: web.Request, refused: Refused) -> web.Response:
    """The clear Chinese page of a refusal, with its HTTP status."""
    title = words.REFUSED_TITLES.get(refused.status, "无法显示")
    return page(request, "refused.html", refused.status, title=title, message=refused.message)


def attachment(data: bytes, filename: str, content_type: str) -> web.Response:
    """A download with its Chinese file name (RFC 5987; an ASCII name for old browsers)."""
    fallback = "download" + filename[filename.rfind(".") :]
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return web.Response(
        body=data, content_type=content_type, headers={"Content-Disposition": disposition}
    )
