"""The chat mode's interpreter: each typed line becomes a chat action; what the bot did is printed."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.localchat.chatlog import Sent
from bot.localchat.demo import HELP, DemoPerson, load_people
from bot.localchat.driver import ChatError, LocalChat, parse_when
from bot.localchat.group_mode import DEMO_GROUP, GROUP_NAME, group_command

logger = logging.getLogger(__name__)

Command = Callable[[str], Awaitable[None]]
_JOB_NAMES = {
    "roll_periods": "生成新周期待办",
    "prune": "清理过期记录",
    "reminders": "发送到期提醒",
    "tick": "补发错过的提醒",
}


class Repl:
    """Reads lines, turns them into chat actions and prints what the bot did."""

    def __init__(
        self,
        chat: LocalChat,
        people: dict[str, DemoPerson],
        files: Path,
        zone: ZoneInfo,
        out: TextIO,
    ) -> None:
        self.chat, self.people, self.files, self.zone, self.out = chat, people, files, zone, out
        self.current: int | None = None
        self._commands: dict[str, Command] = {
            "help": self._help, "as": self._as, "who": self._who, "reply": self._reply,
            "press": self._press, "send": self._send, "clock": self._clock, "again": self._again,
            "sticker": self._media(chat.send_sticker), "photo": self._media(chat.send_photo),
            "voice": self._media(chat.send_voice), "inbox": self._inbox,
            "group": lambda arg: group_command(chat, self._need_identity(), arg, self.show, self.say),
        }  # fmt: skip

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def label(self, telegram_id: int | None) -> str:
        if telegram_id == DEMO_GROUP:
            return GROUP_NAME
        for person in self.people.values():
            if person.telegram_id == telegram_id and telegram_id is not None:
                return person.label
        return f"陌生人({telegram_id})"

    def prompt(self) -> str:
        if self.current is None:
            return "（未选身份）> "
        person = next((p for p in self.people.values() if p.telegram_id == self.current), None)
        return f"{person.code} {person.name}> " if person else f"陌生人 {self.current}> "

    async def handle(self, line: str) -> bool:
        """One input line; False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            name, _, rest = line[1:].partition(" ")
            if name in ("quit", "q", "exit"):
                return False
            command = self._commands.get(name)
            if command is None:
                self.say(f"未知命令 :{name}，输入 :help 查看用法")
                return True
            await self._guard(command(rest.strip()))
            return True
        await self._guard(self._media(lambda me: self.chat.send_text(me, line))(""))
        return True

    async def _guard(self, action: Awaitable[None]) -> None:
        try:
            await action
        except ChatError as exc:
            self.say(f"提示：{exc}")
        except Exception as exc:
            logger.exception("chat action failed")
            self.say(f"出错了：{type(exc).__name__}: {exc}（详情见日志）")

    def show(self, sent: list[Sent]) -> None:
        """Print each bot action as the user would see it."""
        for item in sent:
            who = self.label(item.chat_id)
            if item.method == "answerCallbackQuery":
                if item.text:
                    kind = "弹窗" if item.show_alert else "提示"
                    self.say(f"← 机器人 → {who}（{kind}）: {item.plain}")
                continue
            if item.method.startswith("editMessage"):
                self.say(f"← 机器人 → {who}（编辑 #{item.message_id}）:")
            else:
                self.say(f"← 机器人 → {who} #{item.message_id}:")
            if item.document is not None:
                self.say(f"📎 {item.document_name}，已保存到 {self._save(item)}")
            if item.text:
                self.say(item.plain)
            buttons = item.buttons
            if buttons:
                self.say(" ".join(f"[{i} {b.get('text', '')}]" for i, b in enumerate(buttons, 1)))

    def _save(self, item: Sent) -> Path:
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(item.document_name or "document").name
        target, number = self.files / name, 1
        while target.exists() and target.read_bytes() != item.document:
            number += 1
            target = self.files / f"{Path(name).stem}-{number}{Path(name).suffix}"
        target.write_bytes(item.document or b"")
        return target

    def _need_identity(self) -> int:
        if self.current is None:
            raise ChatError("请先选择身份：:as P0101（:who 查看全部人员）")
        return self.current

    async def _help(self, _: str) -> None:
        self.say(HELP)

    async def _as(self, arg: str) -> None:
        if arg.isdigit():
            self.current = int(arg)
            self.say(f"现在扮演：{self.label(self.current)}")
            return
        person = self.people.get(arg.upper())
        if person is None:
            raise ChatError(
                f"没有人员 {arg or '（空）'}；用法 :as P0101 或 :as 12345，:who 查看全部人员"
            )
        if person.telegram_id is None:
            raise ChatError(f"{person.label} 尚未绑定 Telegram 账号")
        self.current = person.telegram_id
        self.chat.names[person.telegram_id] = person.name
        self.say(
            f"现在扮演：{person.label} {person.unit_name} · {person.position or '—'} · "
            f"{person.role_words or '无角色'}（Telegram id {person.telegram_id}）"
        )

    async def _who(self, _: str) -> None:
        self.people = await load_people(self.chat.app.sessions)
        for person in self.people.values():
            mark = "▶" if self.current is not None and person.telegram_id == self.current else " "
            bound = f"已绑定 {person.telegram_id}" if person.telegram_id else "未绑定"
            self.say(
                f"{mark} {person.code}  {person.name}  {person.unit_name}  "
                f"{person.role_words or '—'}  {bound}"
            )
        if self.current is not None and self.label(self.current).startswith("陌生人"):
            self.say(f"▶ 当前身份：{self.label(self.current)}（未绑定）")

    async def _reply(self, arg: str) -> None:
        number, _, text = arg.partition(" ")
        if not number.lstrip("#").isdigit() or not text.strip():
            raise ChatError("用法：:reply 12 回复的文字")
        sent = await self.chat.send_text(
            self._need_identity(), text.strip(), reply_to=int(number.lstrip("#"))
        )
        self.show(sent)

    async def _press(self, arg: str) -> None:
        number, _, key = arg.partition(" ")
        if not number.lstrip("#").isdigit() or not key.strip():
            raise ChatError("用法：:press 12 1（第 12 条消息的第 1 个按钮），或 :press 12 按钮文字")
        button: int | str = int(key) if key.strip().isdigit() else key.strip()
        self.show(await self.chat.press(self._need_identity(), int(number.lstrip("#")), button))

    async def _send(self, arg: str) -> None:
        path = Path(arg.strip("'\"")) if arg else None
        if path is None or not await asyncio.to_thread(_is_file, path):
            raise ChatError(f"找不到文件 {arg or '（空）'}；用法 :send 路径/名单.xlsx")
        self.show(await self.chat.send_document(self._need_identity(), path.expanduser()))

    def _media(self, send: Callable[[int], Awaitable[list[Sent]]]) -> Command:
        async def command(_: str) -> None:
            self.show(await send(self._need_identity()))

        return command

    async def _again(self, _: str) -> None:
        sent = await self.chat.redeliver()
        self.say(f"已重新投递更新 {self.chat.last_update_id}")
        if not sent:
            self.say("（机器人没有回应：同一更新只处理一次）")
        self.show(sent)

    async def _clock(self, arg: str) -> None:
        now = self.chat.clock.now()
        if not arg:
            self.say(f"模拟时间：{self.local(now)}（{self.zone.key}）")
            return
        target = parse_when(arg, now, self.zone)
        mark = self.chat.fake.mark()
        ran = await self.chat.advance(target)
        self.say(f"时钟：{self.local(now)} → {self.local(target)}（{self.zone.key}）")
        if target < now:
            self.say("时钟已回拨，没有运行定时任务")
        elif not ran:
            self.say("这段时间没有定时任务到点")
        elif len(ran) <= 6:
            for moment, job in ran:
                self.say(f"⏰ {self.local(moment)} {job}（{_JOB_NAMES.get(job, job)}）")
        else:
            counts = Counter(job for _, job in ran)
            words = "，".join(
                f"{job}（{_JOB_NAMES.get(job, job)}）×{n}" for job, n in counts.items()
            )
            self.say(f"⏰ 运行了 {len(ran)} 次定时任务：{words}；")
            self.say(f"   首次 {self.local(ran[0][0])}，末次 {self.local(ran[-1][0])}")
        sent = self.chat.fake.sent_since(mark)
        if len(sent) <= 6 or self.current is None:
            self.show(sent)
            return
        self.show([item for item in sent if item.chat_id == self.current])
        others = Counter(self.label(item.chat_id) for item in sent if item.chat_id != self.current)
        self.say(f"（另有 {sum(others.values())} 条消息发给 {len(others)} 人：")
        self.say("  " + "，".join(f"{who} {n} 条" for who, n in others.most_common()) + "）")

    async def _inbox(self, arg: str) -> None:
        count = int(arg) if arg.isdigit() else 5
        me = self._need_identity()
        mine = [s for s in self.chat.fake.sent_since(0) if s.chat_id == me]
        self.show(mine[-count:])

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


def _is_file(path: Path) -> bool:
    return path.expanduser().is_file()
