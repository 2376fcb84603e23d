"""Chinese wording about how a message came in: forwarded (not recorded), or edited after sending."""

from __future__ import annotations

from bot.texts.records import EXAMPLE

FORWARDED = (
    "这是一条<b>转发</b>的消息，不会作为您本人的履责记实记入。"
    f"如果这项工作是您做的，请用自己的话写一句做了什么（如“{EXAMPLE}”）发给我。"
)
EDIT_REPLACED = "✏️ 您修改了这条消息：之前的待确认内容已作废，下面按修改后的文字重新识别。"


def edit_kept(record_ids: tuple[int, ...]) -> str:
    """An edit of a message that was recorded already: the record keeps the words it had."""
    numbers = "、".join(f"#{n}" for n in record_ids)
    where = f"（记实编号 {numbers}）" if numbers else ""
    return (
        f"✏️ 您修改了这条消息，但它已记入履责记实{where}：记实仍是修改前的文字，修改消息不会改动它。"
        "如需更正，请发送 /records，找到这条记实，点“详情/更正”→“更正文字”。"
    )
