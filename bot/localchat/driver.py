"""LocalChat: feeds real Updates to the production Dispatcher and reads back what the bot sent."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import mimetypes
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.types import Update
from pydantic import SecretStr
from sqlmodel import func, select

from bot.app import App, build_app, close, prepare
from bot.clock import ManualClock
from bot.config import Settings
from bot.localchat.chatlog import Json, Sent, buttons_of
from bot.localchat.fake_api import FakeBotAPI
from scheduler.table import run_between
from storage.models import ProcessedUpdate

__all__ = ["FAKE_TOKEN", "ChatError", "LocalChat", "Sent", "parse_when", "start_local_chat"]

logger = logging.getLogger(__name__)
FAKE_TOKEN = "123456:" + "A" * 35
_STEP = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_TINY = {"sticker": b"RIFF\x00\x00\x00\x00WEBPVP8 ", "photo": b"\xff\xd8\xff\xe0", "voice": b"OggS"}


class ChatError(Exception):
    """Something a user could not do in a real chat (an unknown message or button); Chinese text."""


class LocalChat:
    """One fake Telegram client per user id (private chats: chat id == user id) on the real app."""

    def __init__(
        self, app: App, fake: FakeBotAPI, clock: ManualClock, *, first_update_id: int = 1
    ) -> None:
        self.app, self.fake, self.clock = app, fake, clock
        self.names: dict[int, str] = {}  # user id → first name shown in their messages
        self.last_update_id: int | None = None
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._updates: dict[int, Update] = {}

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        first_name: str | None = None,
        group: int | None = None,
    ) -> list[Sent]:
        """The user types `text` (a /command gets its bot_command entity), optionally as a reply,
        in their private chat or in `group` (a negative chat id)."""
        content: Json = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._reply(content, group or user_id, reply_to)
        return await self._feed("message", self._message(user_id, first_name, content, group))

    async def send_document(
        self,
        user_id: int,
        path_or_bytes: Path | bytes,
        name: str | None = None,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> list[Sent]:
        """The user sends a file (e.g. an .xlsx workbook); the bot can download it via getFile."""
        if isinstance(path_or_bytes, Path):
            data = await asyncio.to_thread(path_or_bytes.read_bytes)
            name = name or path_or_bytes.name
        else:
            data, name = path_or_bytes, name or "document"
        file_id = self.fake.add_file(data, name)
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        document = {**self.fake.file_meta(file_id), "file_name": name, "mime_type": mime}
        content: Json = {"document": document}
        if caption:
            content["caption"] = caption
        self._reply(content, user_id, reply_to)
        return await self._feed("message", self._message(user_id, None, content))

    async def send_sticker(self, user_id: int) -> list[Sent]:
        """A 👍 sticker."""
        sticker = {**self._upload("sticker", "sticker.webp"), "type": "regular", "emoji": "👍"}
        sticker.update(width=512, height=512, is_animated=False, is_video=False)
        return await self._feed("message", self._message(user_id, None, {"sticker": sticker}))

    async def send_photo(
        self, user_id: int, *, caption: str | None = None, reply_to: int | None = None
    ) -> list[Sent]:
        """A photo (one size), with an optional caption, optionally as a reply."""
        photo = [{**self._upload("photo", "photo.jpg"), "width": 640, "height": 480}]
        content: Json = {"photo": photo}
        if caption:
            content["caption"] = caption
        self._reply(content, user_id, reply_to)
        return await self._feed("message", self._message(user_id, None, content))

    async def send_voice(self, user_id: int) -> list[Sent]:
        """A three-second voice note."""
        voice = {**self._upload("voice", "voice.ogg"), "duration": 3, "mime_type": "audio/ogg"}
        return await self._feed("message", self._message(user_id, None, {"voice": voice}))

    def buttons(self, user_id: int, message_id: int) -> list[Json]:
        """The inline buttons on a message in this user's chat, in reading order."""
        message = self.fake.message(user_id, message_id)
        if message is None:
            raise ChatError(f"这个对话里没有消息 #{message_id}")
        return buttons_of(message.get("reply_markup"))

    async def press(
        self, user_id: int, message_id: int, button: int | str, *, group: int | None = None
    ) -> list[Sent]:
        """Press a button (its position from 1, or its label) on a bot message: a callback query
        (in the user's private chat, or in `group`)."""
        buttons = self.buttons(group or user_id, message_id)
        if not buttons:
            raise ChatError(f"消息 #{message_id} 没有按钮")
        labels = "、".join(f"{i} {b.get('text', '')}" for i, b in enumerate(buttons, 1))
        if isinstance(button, int):
            if not 1 <= button <= len(buttons):
                raise ChatError(f"消息 #{message_id} 只有 {len(buttons)} 个按钮：{labels}")
            chosen = buttons[button - 1]
        else:
            matches = [b for b in buttons if b.get("text") == button.strip()]
            matches = matches or [b for b in buttons if button.strip() in str(b.get("text"))]
            if len(matches) != 1:
                raise ChatError(f"消息 #{message_id} 上找不到唯一的按钮「{button}」：{labels}")
            chosen = matches[0]
        if chosen.get("callback_data") is None:
            raise ChatError(f"按钮「{chosen.get('text')}」不是回调按钮（{chosen}）")
        query_id = f"{user_id}-{next(self._query_ids)}"
        self.fake.register_callback(query_id, user_id)
        query = {
            "id": query_id,
            "from": self._user(user_id, None),
            "message": self.fake.message(group or user_id, message_id),
            "chat_instance": str(group or user_id),
            "data": chosen["callback_data"],
        }
        return await self._feed("callback_query", query)

    async def advance(self, to: datetime) -> list[tuple[datetime, str]]:
        """Set the clock to `to`, running (at their instants) the cron jobs that fire on the way."""
        start = self.clock.now()
        self.clock.set(to)
        if to <= start:
            return []
        # jobs run at their own instants; what they queued is delivered then (the outbox sender)
        return await run_between(self.app.jobs, start, to, after=self.app.sender.drain_once)

    async def redeliver(self, update_id: int | None = None) -> list[Sent]:
        """Deliver an update again (default: the last one), as Telegram may after a restart."""
        update_id = self.last_update_id if update_id is None else update_id
        update = self._updates.get(update_id) if update_id is not None else None
        if update is None:
            raise ChatError(
                "还没有可以重发的消息" if update_id is None else f"没有更新 {update_id}"
            )
        return await self._run(update)

    async def stop(self) -> None:
        """Close the app (HTTP session, database pool) and the fake server."""
        try:
            await close(self.app)
        finally:
            await self.fake.stop()

    def _user(self, user_id: int, first_name: str | None) -> Json:
        name = first_name or self.names.get(user_id) or f"用户{user_id}"
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}

    def _reply(self, content: Json, chat_id: int, reply_to: int | None) -> None:
        if reply_to is None:
            return
        original = self.fake.message(chat_id, reply_to)
        if original is None:
            raise ChatError(f"这个对话里没有消息 #{reply_to}")
        content["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}

    def _message(
        self, user_id: int, first_name: str | None, content: Json, group: int | None = None
    ) -> Json:
        user = self._user(user_id, first_name)
        chat: Json = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        if group is not None:
            chat = {"id": group, "type": "group", "title": f"工作群{-group}"}
        message = {
            "message_id": self.fake.new_message_id(group or user_id),
            "from": user,
            "chat": chat,
            "date": int(self.clock.now().timestamp()),
            **content,
        }
        self.fake.remember(message)
        return message

    def _upload(self, kind: str, name: str) -> Json:
        return self.fake.file_meta(self.fake.add_file(_TINY[kind], name))

    async def _feed(self, kind: str, payload: Json) -> list[Sent]:
        update_id = next(self._update_ids)
        raw = {"update_id": update_id, kind: payload}
        update = Update.model_validate(raw, context={"bot": self.app.bot})
        self._updates[update_id] = update
        self.last_update_id = update_id
        return await self._run(update)

    async def _run(self, update: Update) -> list[Sent]:
        mark = self.fake.mark()
        await self.app.dispatcher.feed_update(self.app.bot, update)
        return self.fake.sent_since(mark)


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """`+3d`, `+2h`, `+1d12h`, `+1w` after `now`, or `2026-12-01 09:00` / `2026-12-01` in `zone`."""
    if text.startswith("+"):
        steps = _STEP.findall(text[1:])
        if not steps or "".join(n + u for n, u in steps) != text[1:]:
            raise ChatError(f"看不懂 {text}；例如 :clock +3d、:clock +2h、:clock +1d12h")
        return now + sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in steps), timedelta())
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
    raise ChatError(f"看不懂 {text}；例如 :clock 2026-12-01 09:00 或 :clock +3d")


async def start_local_chat(
    settings: Settings, *, clock: ManualClock, username: str = "lvze_demo_bot"
) -> tuple[App, FakeBotAPI, LocalChat]:
    """Start the fake server, build the production App against it (fake token) and prepare it."""
    fake = FakeBotAPI(username=username, token=FAKE_TOKEN, now=clock.now)
    url = await fake.start()
    local = settings.model_copy(update={"bot_api_url": url, "bot_token": SecretStr(FAKE_TOKEN)})
    app = build_app(local, clock=clock, chat_limits=fake.limits is not None)
    try:
        await prepare(app)
        async with app.sessions() as session:
            last = (await session.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    except BaseException:
        await LocalChat(app, fake, clock).stop()
        raise
    logger.info("local chat on %s, database %s", url, app.engine.url.render_as_string())
    return app, fake, LocalChat(app, fake, clock, first_update_id=(last or 0) + 1)
