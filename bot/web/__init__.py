"""The read-only web view for admins, 联络员 and officials (aiohttp + Jinja2; build_web_app).

Like handlers/, it is Telegram-free presentation over the services: every figure is asked of
the ledger and oversight services and the exports writer; every page checks the signed-in
person's scope on the server (scope.py). Sign-in is by the bot's one-time /web link.
"""

from bot.web.app import build_web_app
from bot.web.context import WebDeps

__all__ = ["WebDeps", "build_web_app"]
