"""The Bot API methods the fake answers (api_<method>), as Telegram does, over FakeBotAPI's state."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes

from bot.localchat.chatlog import (
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

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class BotApiMethods(ChatLog):
    """Every method as api_<name>(params, token); FakeBotAPI sets the state declared here."""

    limits: TelegramLimits | None
    _forbidden: set[int]
    _faults: list[ApiError]
    _callbacks: dict[str, int]
    _updates: list[Json]
    _arrived: asyncio.Event
    _closed: bool
    polling: int  # getUpdates calls so far: the newest one is served
    waiting: int  # getUpdates calls waiting right now
    conflicts: int  # getUpdates that arrived while an older one was still waiting
    webhook: Json | None  # the parameters of the last setWebhook (None: long polling)

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

    async def api_editMessageReplyMarkup(self, params: Json, token: str) -> Json:
        chat_id = self._target(params)
        message_id = int_param(params, "message_id") or 0
        message = self.message(chat_id, message_id)
        if message is None or not message["from"].get("is_bot"):
            raise bad_request(
                "message to edit not found" if message is None else "message can't be edited"
            )
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.record(Sent("editMessageReplyMarkup", chat_id, message_id, None, markup))
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

    async def api_sendChatAction(self, params: Json, token: str) -> bool:
        """A chat action ("sending a file…"): shown, not a message, so not in the chat log
        (FakeBotAPI.calls has it)."""
        if int_param(params, "chat_id") is None:
            raise bad_request("chat_id is empty")
        return True

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
        self.webhook = None
        return True

    async def api_setWebhook(self, params: Json, token: str) -> bool:
        if not str(params.get("url") or "").startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if flag_param(params, "drop_pending_updates"):
            self._updates.clear()
        self.webhook = dict(params)
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
        self.polling += 1  # as Telegram: the newest getUpdates wins, an older one gets 409
        mine = self.polling
        if self.waiting:
            self.conflicts += 1
            self._arrived.set()  # wake the older one to be told
        self.waiting += 1
        try:
            while True:
                if self.polling != mine:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                if self._updates or self._closed or loop.time() >= deadline:
                    return self._updates[:limit]
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
        finally:
            self.waiting -= 1

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
