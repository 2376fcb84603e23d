"""FakeBotAPI: an in-process HTTP server answering the Bot API subset the bot uses, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.localchat.chatlog import (
    JSON_FIELDS,
    ApiError,
    ChatLog,
    Json,
    Sent,
    bad_request,
    checked_text,
    flag_param,
    int_param,
)
from bot.localchat.limits import TelegramLimits

__all__ = ["ApiError", "FakeBotAPI", "Sent"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class FakeBotAPI(ChatLog):
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

    def _target(self, params: Json) -> int:
        chat_id = int_param(params, "chat_id")
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if chat_id in self._forbidden:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.limits is not None and (wait := self.limits.admit(chat_id)) is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        return chat_id

    # ---- methods ---------------------------------------------------------------------------
    async def api_getMe(self, params: Json, token: str) -> Json:
        return self.me(token)

    async def api_sendMessage(self, params: Json, token: str) -> Json:
        chat_id = self._target(params)
        if self._faults:
            raise self._faults.pop(0)
        raw, shown = checked_text(params, "text", TEXT_LIMIT)
        if not shown.strip():
            raise bad_request("message text is empty")
        message = self.post(chat_id, token, params, text=shown)
        reply_to = (message.get("reply_to_message") or {}).get("message_id")
        markup, mode = params.get("reply_markup"), params.get("parse_mode")
        self.record(Sent("sendMessage", chat_id, message["message_id"], raw, markup,
                         reply_to_message_id=reply_to, parse_mode=mode))  # fmt: skip
        return message

    async def api_editMessageText(self, params: Json, token: str) -> Json:
        chat_id = self._target(params)
        message_id = int_param(params, "message_id") or 0
        message = self.message(chat_id, message_id)
        if message is None or not message["from"].get("is_bot"):
            raise bad_request(
                "message to edit not found" if message is None else "message can't be edited"
            )
        raw, shown = checked_text(params, "text", TEXT_LIMIT)
        if not shown.strip():
            raise bad_request("message text is empty")
        markup = params.get("reply_markup")
        if shown == message.get("text") and markup == message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        message.update(text=shown, edit_date=int(self.now().timestamp()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.record(Sent("editMessageText", chat_id, message_id, raw, markup,
                         parse_mode=params.get("parse_mode")))  # fmt: skip
        return message

    async def api_sendDocument(self, params: Json, token: str) -> Json:
        chat_id = self._target(params)
        document = params.get("document")
        if isinstance(document, str) and document in self.files:
            document = self.files[document][:2]
        if not isinstance(document, tuple):
            raise bad_request("wrong file identifier/HTTP URL specified")
        name, data = str(document[0] or "document"), bytes(document[1])
        raw, shown = checked_text(params, "caption", CAPTION_LIMIT)
        file_id = self.add_file(data, name)
        meta = {**self.file_meta(file_id), "file_name": name,
                "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream"}  # fmt: skip
        message = self.post(chat_id, token, params, document=meta, caption=shown)
        self.record(Sent("sendDocument", chat_id, message["message_id"], raw or None,
                         params.get("reply_markup"), name, data,
                         parse_mode=params.get("parse_mode")))  # fmt: skip
        return message

    async def api_sendPhoto(self, params: Json, token: str) -> Json:
        chat_id = self._target(params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo in self.files:
            photo = self.files[photo][:2]
        if not isinstance(photo, tuple):
            raise bad_request("wrong file identifier/HTTP URL specified")
        name, data = str(photo[0] or "photo.jpg"), bytes(photo[1])
        raw, shown = checked_text(params, "caption", CAPTION_LIMIT)
        file_id = self.add_file(data, name)
        sizes = [{**self.file_meta(file_id), "width": 640, "height": 480}]
        message = self.post(chat_id, token, params, photo=sizes, caption=shown)
        self.record(Sent("sendPhoto", chat_id, message["message_id"], raw or None,
                         params.get("reply_markup"), name, data,
                         parse_mode=params.get("parse_mode")))  # fmt: skip
        return message

    async def api_answerCallbackQuery(self, params: Json, token: str) -> bool:
        user_id = self._callbacks.pop(str(params.get("callback_query_id")), None)
        if user_id is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = str(params.get("text") or "") or None
        self.record(Sent("answerCallbackQuery", user_id, text=text,
                         show_alert=flag_param(params, "show_alert")))  # fmt: skip
        return True

    async def api_setMyCommands(self, params: Json, token: str) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.islower() or c.isdigit() or c == "_" for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(description) <= 256):
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self.scope_key(params.get("scope"), params.get("language_code"))
        self.commands[key] = list(commands)
        return True

    async def api_getMyCommands(self, params: Json, token: str) -> list[Json]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    async def api_deleteMyCommands(self, params: Json, token: str) -> bool:
        self.commands.pop(self.scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def api_deleteWebhook(self, params: Json, token: str) -> bool:
        if flag_param(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def api_getUpdates(self, params: Json, token: str) -> list[Json]:
        offset = int_param(params, "offset") or 0
        limit = min(max(int_param(params, "limit") or 100, 1), 100)
        if offset > 0:  # confirms (forgets) every update below the offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (int_param(params, "timeout") or 0)
        while True:
            if self._updates or self._closed or loop.time() >= deadline:
                return self._updates[:limit]
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())

    async def api_getFile(self, params: Json, token: str) -> Json:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        if len(self.files[file_id][1]) > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return {**self.file_meta(file_id), "file_path": self.files[file_id][2]}

    async def api_close(self, params: Json, token: str) -> bool:
        return True

    async def api_logOut(self, params: Json, token: str) -> bool:
        return True


def _json(body: Json, status: int) -> web.Response:
    text = json.dumps(body, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json")
