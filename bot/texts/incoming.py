"""Chinese wording about how a message came in: forwarded (not recorded)."""

from __future__ import annotations

from bot.texts.records import EXAMPLE

FORWARDED = (
    "这是一条<b>转发</b>的消息，不会作为您本人的履责记实记入。"
    f"如果这项工作是您做的，请用自己的话写一句做了什么（如“{EXAMPLE}”）发给我。"
)
