"""FakeBotAPI: an in-process HTTP server answering the Bot API subset the bot uses, as Telegram does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.localchat.chatlog import JSON_FIELDS, ApiError, Json, Sent, bad_request
from bot.localchat.fake_methods import BotApiMethods
from bot.localchat.limits import TelegramLimits

__all__ = ["ApiError", "FakeBotAPI", "Sent"]


class FakeBotAPI(BotApiMethods):
    """The Bot API over real HTTP on 127.0.0.1; remembers every message and records every action."""

    def __init__(
        self,
        *,
        username: str = "lvze_demo_bot",
        token: str | None = None,
        now: Callable[[], datetime] | None = None,
        enforce_limits: bool = False,
    ) -> None:
        """enforce_limits: answer 429 like Telegram when its flood limits are exceeded (limits.py)."""
        super().__init__(username=username, now=now or (lambda: datetime.now(UTC)))
        self.token = token
        self.base_url = ""
        self._last_update_id = 0
        self._callbacks: dict[str, int] = {}
        self._forbidden: set[int] = set()
        self._faults: list[ApiError] = []
        self.limits = TelegramLimits() if enforce_limits else None
        self._updates: list[Json] = []
        self.delays: dict[str, float] = {}  # method (lower case) or "download" → seconds to stall
        self.stalled: dict[str, int] = {}  # how many calls of each method are stalling right now
        self.observers: list[Callable[[str, Json], None]] = []  # called as each request arrives
        self._arrived = asyncio.Event()
        self._closed = False
        self.polling = 0
        self.waiting = 0
        self.conflicts = 0
        self.webhook: Json | None = None
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[Json, str], Awaitable[Any]]] = {
            name[4:].lower(): getattr(self, name) for name in dir(self) if name.startswith("api_")
        }

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (port 0: an ephemeral one) and return the base URL for BOT_API_URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.base_url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        """Wake any long poll and shut the server down."""
        self._closed = True
        self._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def go_down(self) -> None:
        """An outage: stop listening, so every call meets a refused connection until come_back()."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def come_back(self) -> None:
        """The end of an outage: listen again at the same address, everything remembered kept."""
        host, _, port = self.base_url.removeprefix("http://").rpartition(":")
        await self.start(host, int(port))

    def forbid(self, chat_id: int) -> None:
        """From now on this user has blocked the bot: sending to the chat answers 403."""
        self._forbidden.add(chat_id)

    def flood(self, n: int, retry_after: int = 1) -> None:
        """The next n sendMessage calls answer 429 with parameters.retry_after."""
        wait = retry_after
        self._faults += [
            ApiError(429, f"Too Many Requests: retry after {wait}", wait) for _ in range(n)
        ]

    def fail(self, n: int, code: int = 500, description: str = "Internal Server Error") -> None:
        """The next n sendMessage calls answer this error (5xx: Telegram's trouble)."""
        self._faults += [ApiError(code, description) for _ in range(n)]

    def push_update(self, update: Json) -> int:
        """Queue an update for getUpdates (an update_id is assigned if missing); returns its id."""
        update = {"update_id": self._last_update_id + 1, **update}
        self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        self._updates.append(update)
        self._arrived.set()
        return int(update["update_id"])

    def pending_updates(self) -> int:
        """Updates queued or delivered but not yet confirmed by an offset."""
        return len(self._updates)

    def register_callback(self, query_id: str, user_id: int) -> None:
        """A callback query about to be delivered; answerCallbackQuery may answer it once."""
        self._callbacks[query_id] = user_id

    # ---- HTTP ------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            if self.token is not None and token != self.token:
                raise ApiError(401, "Unauthorized")
            params = await self._params(request)
            self.calls.append((method, params))
            for observe in self.observers:
                observe(method, params)
            await self._stall(method.lower())
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params, token)
        except ApiError as exc:
            body: Json = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return _json(body, exc.code)
        return _json({"ok": True, "result": result}, 200)

    async def _stall(self, name: str) -> None:
        delay = self.delays.get(name)
        if not delay:
            return
        self.stalled[name] = self.stalled.get(name, 0) + 1
        try:
            await asyncio.sleep(delay)
        finally:
            self.stalled[name] -= 1

    async def _params(self, request: web.Request) -> Json:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await request.json())
        elif request.can_read_body:
            raw.update(await request.post())
        files = {
            key: (value.filename, value.file.read())
            for key, value in raw.items()
            if isinstance(value, web.FileField)
        }
        params: Json = {}
        for key, value in raw.items():
            if isinstance(value, web.FileField):
                params[key] = files[key]
            elif isinstance(value, str) and value.startswith("attach://"):
                if value[9:] not in files:
                    raise bad_request(f"file {value} not found in the request")
                params[key] = files[value[9:]]
            elif isinstance(value, str) and key in JSON_FIELDS:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
            else:
                params[key] = value
        return params

    async def _download(self, request: web.Request) -> web.Response:
        await self._stall("download")
        for _, data, file_path in self.files.values():
            if file_path == request.match_info["path"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)


def _json(body: Json, status: int) -> web.Response:
    text = json.dumps(body, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json")
