"""What the fake Bot API remembers: messages by chat, every bot action as `Sent`, Telegram's HTML."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

Json = dict[str, Any]
_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "a"}) | {
    *("tg-spoiler", "tg-emoji", "code", "pre", "blockquote")
}
JSON_FIELDS = frozenset({"reply_markup", "reply_parameters", "commands", "scope", "entities"}) | {
    *("allowed_updates", "caption_entities", "link_preview_options")
}  # form fields that carry a JSON-serialised object


class ApiError(Exception):
    """An answer with ok=false: HTTP status, Telegram's description, optional retry_after."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def bad_request(description: str) -> ApiError:
    """400 with Telegram's "Bad Request: …" wording."""
    return ApiError(400, "Bad Request: " + description)


class _Html(HTMLParser):
    """Telegram's HTML parse mode: the supported tags, properly nested; collects the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS and self.error is None:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif self.error is None:
            expected = f'"</{self.stack[-1]}>"' if self.stack else "nothing"
            self.error = f'Unmatched end tag, expected {expected}, found "</{tag}>"'

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """(the text the user sees, Telegram's parse error or None)."""
    if (parse_mode or "").upper() != "HTML":
        return text, None
    parser = _Html()
    parser.feed(text)
    parser.close()
    error = parser.error
    if error is None and parser.stack:
        error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return "".join(parser.parts), error


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def checked_text(params: Json, field: str, limit: int) -> tuple[str, str]:
    """(as sent, as shown) of a text or caption after Telegram's parse-mode and length checks."""
    raw = str(params.get(field) or "")
    shown, error = parse_text(raw, params.get("parse_mode"))
    if error is not None:
        raise bad_request(f"can't parse entities: {error}")
    if utf16_len(shown) > limit:
        raise bad_request(f"message {'is' if field == 'text' else field + ' is'} too long")
    return raw, shown


def int_param(params: Json, name: str) -> int | None:
    """An integer parameter (form fields arrive as strings), None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def flag_param(params: Json, name: str) -> bool:
    """A boolean parameter: JSON true or the form field "true"."""
    return params.get(name) in (True, "true", "True", "1", 1)


def buttons_of(reply_markup: Json | None) -> list[Json]:
    """The inline buttons of a keyboard in reading order."""
    rows = (reply_markup or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


@dataclass(frozen=True)
class Sent:
    """One thing the bot did to a chat, in the order it happened."""

    method: str
    chat_id: int | None
    message_id: int | None = None
    text: str | None = None  # as the bot sent it (HTML); a caption, or a callback answer's text
    reply_markup: Json | None = None
    document_name: str | None = None
    document: bytes | None = None
    reply_to_message_id: int | None = None
    parse_mode: str | None = None
    show_alert: bool = False

    @property
    def plain(self) -> str:
        """The text as the user reads it: tags stripped, entities unescaped."""
        return parse_text(self.text or "", self.parse_mode)[0]

    @property
    def buttons(self) -> list[Json]:
        """The inline buttons in reading order."""
        return buttons_of(self.reply_markup)


class ChatLog:
    """The Bot API's memory: messages by (chat_id, message_id), files, menus, requests, actions."""

    def __init__(self, *, username: str, now: Callable[[], datetime]) -> None:
        self.username, self.now = username, now
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, Json]] = []
        self.messages: dict[tuple[int, int], Json] = {}
        self.chats: dict[int, Json] = {}
        self.commands: dict[str, list[Json]] = {}
        self.files: dict[str, tuple[str, bytes, str]] = {}  # file_id → (name, data, file_path)
        self._message_ids: defaultdict[int, int] = defaultdict(int)
        self._file_ids = itertools.count(1)

    def new_message_id(self, chat_id: int) -> int:
        """The next message id in this chat (users' and the bot's messages share the sequence)."""
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def remember(self, message: Json) -> None:
        """Keep a message so a later reply, edit or button press can reference it."""
        chat = message["chat"]
        self.chats.setdefault(chat["id"], chat)
        self.messages[(chat["id"], message["message_id"])] = message

    def message(self, chat_id: int, message_id: int) -> Json | None:
        """The message as it is now (after edits), or None."""
        return self.messages.get((chat_id, message_id))

    def chat(self, chat_id: int) -> Json:
        """The Chat object of a chat: as a user's message showed it, else a bare private chat."""
        return self.chats.get(chat_id) or {
            "id": chat_id,
            "type": "private" if chat_id > 0 else "group",
        }

    def record(self, sent: Sent) -> None:
        self.sent.append(sent)

    def mark(self) -> int:
        """A bookmark for `sent_since`."""
        return len(self.sent)

    def sent_since(self, mark: int) -> list[Sent]:
        """The bot's actions after the bookmark."""
        return self.sent[mark:]

    def calls_to(self, method: str) -> list[Json]:
        """The parameters of every request to `method`, failed ones included."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def add_file(self, data: bytes, name: str) -> str:
        """Store a file as if a user had uploaded it; returns its file_id."""
        number = next(self._file_ids)
        file_id = f"BQACAgFake{number:06d}"
        self.files[file_id] = (name, data, f"documents/file_{number}{PurePath(name).suffix}")
        return file_id

    def file_meta(self, file_id: str) -> Json:
        """file_id, file_unique_id and file_size of a stored file (for Document, PhotoSize …)."""
        data = self.files[file_id][1]
        return {"file_id": file_id, "file_unique_id": "U" + file_id[-8:], "file_size": len(data)}

    @staticmethod
    def scope_key(scope: Json | None, language_code: str | None = None) -> str:
        """Where a command menu is kept: its scope (default: BotCommandScopeDefault) and language."""
        return (
            json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + (language_code or "")
        )

    def commands_for(self, scope: Json | None = None, language_code: str = "") -> list[Json]:
        """The command menu set for a scope."""
        return self.commands.get(self.scope_key(scope, language_code), [])

    def me(self, token: str) -> Json:
        """The bot's User object (its id is the token's number, as with Telegram)."""
        head = token.split(":", 1)[0]
        return {
            "id": int(head) if head.isdigit() else 1,
            "is_bot": True,
            "first_name": "履责助手",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def post(self, chat_id: int, token: str, params: Json, **content: Any) -> Json:
        """A new bot message in the chat, replying where asked; stored and returned."""
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or int_param(params, "reply_to_message_id")
        original = self.message(chat_id, int(reply_id)) if reply_id else None
        if reply_id and original is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        message: Json = {
            "message_id": self.new_message_id(chat_id),
            "from": self.me(token),
            "chat": self.chat(chat_id),
            "date": int(self.now().timestamp()),
            **{key: value for key, value in content.items() if value},
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes only these
            message["reply_markup"] = markup
        if original is not None:
            message["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        self.remember(message)
        return message
