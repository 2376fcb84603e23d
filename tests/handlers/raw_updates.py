"""Updates the LocalChat driver does not type: an edit of a sent message, a forwarded message."""

from __future__ import annotations

import copy
import itertools

from aiogram.types import Update

from bot.localchat.chatlog import Json, Sent
from tests.handlers.conftest import District

_IDS = itertools.count(900_000)  # update ids the chat's own never reach


async def feed(d: District, kind: str, message: Json) -> list[Sent]:
    """Deliver `message` as an update of `kind` through the production Dispatcher."""
    raw = {"update_id": next(_IDS), kind: message}
    mark = d.fake.mark()
    await d.app.dispatcher.feed_update(
        d.app.bot, Update.model_validate(raw, context={"bot": d.app.bot})
    )
    return d.fake.sent_since(mark)


async def edit(d: District, chat_id: int, message_id: int, text: str) -> list[Sent]:
    """The sender edits their message `message_id` in `chat_id` to read `text` (or its caption)."""
    original = d.fake.message(chat_id, message_id)
    assert original is not None
    edited = copy.deepcopy(original)
    edited["caption" if "caption" in edited or "photo" in edited else "text"] = text
    edited["edit_date"] = int(d.clock.now().timestamp())
    d.fake.remember(edited)
    return await feed(d, "edited_message", edited)


async def forward(d: District, user_id: int, text: str, *, group: int | None = None) -> list[Sent]:
    """The user forwards someone else's message reading `text` into their chat with the bot (or
    `group`)."""
    chat: Json = {"id": user_id, "type": "private", "first_name": "陈"}
    if group is not None:
        chat = {"id": group, "type": "group", "title": "工作群"}
    message = {
        "message_id": d.fake.new_message_id(group or user_id),
        "from": {"id": user_id, "is_bot": False, "first_name": "陈"},
        "chat": chat,
        "date": int(d.clock.now().timestamp()),
        "text": text,
        "forward_origin": {
            "type": "user",
            "sender_user": {"id": 555_000_001, "is_bot": False, "first_name": "王"},
            "date": int(d.clock.now().timestamp()) - 3600,
        },
    }
    d.fake.remember(message)
    return await feed(d, "message", message)
