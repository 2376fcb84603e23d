"""Signing in by the bot's one-time link, the session cookie, and the guard on every page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.services.directory.web_access import (
    SESSION_LIFETIME,
    LinkRefused,
    end_session,
    redeem_link,
    session_viewer,
)
from bot.texts import web as words
from bot.web.context import VIEWER, Refused, deps, page, refusal

COOKIE = "lvze_web"
PUBLIC = frozenset({"login", "logout", "font"})  # the only routes without a session
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but sign-in needs a live session; any Refused becomes its Chinese page."""
    try:
        route = request.match_info.route.name
        if route not in PUBLIC:
            token = request.cookies.get(COOKIE, "")
            found = None
            if token:
                wired = deps(request)
                async with wired.sessions() as session:
                    found = await session_viewer(session, token=token, now=wired.clock.now())
            if found is None:
                raise Refused(401, words.NO_SESSION)
            request[VIEWER] = found
        response = await handler(request)
    except Refused as refused:
        response = refusal(request, refused)
    except web.HTTPNotFound:  # a mistyped address, for someone signed in: said in Chinese
        response = refusal(request, Refused(404, words.NOT_FOUND))
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


async def login(request: web.Request) -> web.Response:
    """GET /login/{token}: redeem the link once, set the session cookie, go to the home page.

    The answer is a page that moves on by itself (not a redirect): a SameSite=Strict cookie set
    on a navigation that came from another site (Telegram) is not sent on that navigation's
    redirect, but is on the next navigation the page itself starts."""
    wired = deps(request)
    try:
        async with wired.sessions() as session:
            opened = await redeem_link(
                session, token=request.match_info["token"], now=wired.clock.now()
            )
    except LinkRefused as refused:
        raise Refused(410, words.LINK_REFUSED[refused.problem]) from None
    response = page(request, "login.html", title=words.LOGGED_IN)
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path=wired.base + "/",
        httponly=True,
        secure=wired.secure_cookies,
        samesite="Strict",
    )
    return response


async def logout(request: web.Request) -> web.Response:
    """GET /logout: the session ends now and the cookie is dropped."""
    wired = deps(request)
    token = request.cookies.get(COOKIE, "")
    if token:
        async with wired.sessions() as session:
            await end_session(session, token=token, now=wired.clock.now())
    response = page(request, "refused.html", 200, title="已退出", message=words.SIGNED_OUT)
    response.del_cookie(COOKIE, path=wired.base + "/")
    return response
