"""The demo's work group: one group chat where the current persona writes, replies and presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.localchat.driver import ChatError, LocalChat, Sent

DEMO_GROUP = -1001  # the demo's one group chat (Telegram group ids are negative)
GROUP_NAME = "演示工作群"
USAGE = (
    "用法：:group /bindgroup（联络员把本群关联到本单位）；:group reply 12 文字（在群里回复机器人"
    "的第 12 条消息）；:group press 12 1（点群消息上的按钮）；:group 文字（在群里发消息）"
)
QUIET = "（机器人没有回应：在群里它只处理回复它的消息和发给它的命令，与隐私模式下的 Telegram 相同）"


async def group_command(
    chat: LocalChat,
    me: int,
    arg: str,
    show: Callable[[list[Sent]], None],
    say: Callable[[str], None],
) -> None:
    """`:group …` as the current persona, in the demo group."""
    verb, _, rest = arg.partition(" ")
    action: Awaitable[list[Sent]]
    if verb in ("reply", "press"):
        number, _, tail = rest.strip().partition(" ")
        if not number.lstrip("#").isdigit() or not tail.strip():
            raise ChatError(USAGE)
        message_id = int(number.lstrip("#"))
        if verb == "reply":
            action = chat.send_text(me, tail.strip(), reply_to=message_id, group=DEMO_GROUP)
        else:
            key: int | str = int(tail) if tail.strip().isdigit() else tail.strip()
            action = chat.press(me, message_id, key, group=DEMO_GROUP)
    elif arg.strip():
        action = chat.send_text(me, arg.strip(), group=DEMO_GROUP)
    else:
        raise ChatError(USAGE)
    sent = await action
    if not sent:
        say(QUIET)
    show(sent)
