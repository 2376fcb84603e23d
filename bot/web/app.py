"""build_web_app: the read-only web view as an aiohttp Application, mountable at /web/."""

from __future__ import annotations

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.services.oversight import charts
from bot.web import auth, district, lists, people, unit
from bot.web.context import DEPS, WebDeps, deps, viewer
from bot.web.scope import home_path


async def font(request: web.Request) -> web.FileResponse:
    """GET /static/cjk.otf: the charts' Noto Sans CJK (mplfonts), for browsers without a
    Chinese font; public and cached for a week."""
    response = web.FileResponse(charts.font_path())
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response


async def home(request: web.Request) -> web.Response:
    """GET /: on to the signed-in person's own starting page."""
    raise web.HTTPSeeOther(home_path(viewer(request), deps(request).base))


def build_web_app(wired: WebDeps) -> web.Application:
    """The pages as a sub-application: `root.add_subapp(wired.base + "/", build_web_app(wired))`
    (the webhook server), or standalone under `python -m bot web`. Nothing runs until mounted."""
    app = web.Application(middlewares=[auth.guard])
    app[DEPS] = wired
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,  # every value is escaped; nothing is marked safe
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_get("/", home, name="home")
    app.router.add_get("/login/{token}", auth.login, name="login")
    app.router.add_get("/logout", auth.logout, name="logout")
    app.router.add_get("/static/cjk.otf", font, name="font")
    app.router.add_get("/district", district.district, name="district")
    app.router.add_get("/district/{part}.png", district.chart, name="district_chart")
    app.router.add_get("/district/{part}.xlsx", district.workbook, name="district_xlsx")
    app.router.add_get("/units/{code}", unit.unit_page, name="unit")
    app.router.add_get("/units/{code}/progress.png", unit.progress_chart, name="unit_chart")
    app.router.add_get("/units/{code}/ledger/{year}.xlsx", unit.ledger_workbook, name="ledger")
    app.router.add_get("/people/{code}", people.person_page, name="person")
    app.router.add_get("/files/{record_id}", people.evidence, name="file")
    app.router.add_get("/pending", lists.pending, name="pending")
    app.router.add_get("/notices", lists.notices, name="notices")
    app.router.add_get("/notices/{notice_id}", lists.notice, name="notice")
    return app


def standalone(wired: WebDeps) -> web.Application:
    """A root app serving only the web view at wired.base (`python -m bot web`, the demo)."""
    if not wired.base:  # WEB_URL names the site's root
        return build_web_app(wired)
    root = web.Application()
    root.add_subapp(wired.base + "/", build_web_app(wired))

    async def to_web(request: web.Request) -> web.Response:
        raise web.HTTPFound(wired.base + "/")

    root.router.add_get("/", to_web)
    root.router.add_get(wired.base, to_web)
    return root
