"""The serve bench's rig: the fake Bot API in the bench process, `serve` workers or the echo bot as subprocesses, and Telegram's side of the webhook.

The fake answers every worker's Bot API calls and notes, per chat, when each reply arrived
(sendMessage, editMessageText) and the 确认 button it carried. `Telegram` posts updates to the
workers in turn, as a reverse proxy would, and like Telegram delivers an update again (to the
next worker, after a second) when the answer is not 200 or the connection broke.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.localchat.chatlog import Json, Sent, buttons_of
from bot.localchat.fake_api import FakeBotAPI
from bot.telegram.webhook import SECRET_HEADER

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:" + "B" * 35
SECRET = "bench-secret-" + "s" * 24
HOOK = "/tg/hook"
REPLY_METHODS = {"sendmessage", "editmessagetext"}


class Replies(list[Sent]):
    """The fake's log of what the bot did, indexed by chat as it grows."""

    def __init__(self) -> None:
        super().__init__()
        self.by_chat: dict[int, list[Sent]] = defaultdict(list)
        self.arrived: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.at: dict[int, list[float]] = defaultdict(list)

    def append(self, sent: Sent) -> None:
        super().append(sent)
        if sent.chat_id is not None and sent.method.lower() in REPLY_METHODS:
            self.by_chat[sent.chat_id].append(sent)
            self.at[sent.chat_id].append(time.perf_counter())
            self.arrived[sent.chat_id].set()

    def confirm_of(self, chat: int) -> tuple[int, str] | None:
        """(message id, callback data) of the 确认 button on the chat's last reply."""
        for sent in reversed(self.by_chat[chat][-2:]):
            for button in buttons_of(sent.reply_markup):
                if button.get("text") == "确认" and sent.message_id is not None:
                    return sent.message_id, str(button.get("callback_data"))
        return None


class BenchFake(FakeBotAPI):
    """The fake Bot API, knowing each chat's reminder (bench.serve_data.seed_reminders)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reminders: dict[int, int] = {}  # chat → its reminder's message id


async def start_fake(*, enforce_limits: bool) -> tuple[BenchFake, Replies, str]:
    fake = BenchFake(token=TOKEN, enforce_limits=enforce_limits)
    replies = Replies()
    fake.sent = replies
    url = await fake.start()
    return fake, replies, url


def worker_env(db_url: str, api: str, port: int, *, send_rate: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_"))}
    env.update(
        BOT_TOKEN=TOKEN,
        BOT_API_URL=api,
        DATABASE_URL=db_url,
        BOT_TIMEZONE="Asia/Shanghai",
        SEND_RATE=str(send_rate),
        WEBHOOK_URL=f"https://bot.example.org{HOOK}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        LEADER_RETRY="1",
    )
    env.update(extra)
    return env


@dataclass
class Worker:
    """One webhook process (a `serve` worker or the echo bot)."""

    process: asyncio.subprocess.Process
    port: int
    log: list[str] = field(default_factory=list)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (/proc)."""
        with open(f"/proc/{self.process.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()


async def start_worker(argv: list[str], env: dict[str, str], ready: str) -> Worker:
    """Start a process and wait for `ready` in its log (stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, *argv, cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    worker = Worker(process, int(env["WEBHOOK_LISTEN"].rsplit(":", 1)[1]))
    seen = asyncio.Event()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace").rstrip()
            worker.log.append(line)
            if ready in line:
                seen.set()

    worker.reader = asyncio.create_task(read())  # type: ignore[attr-defined]
    waiting = asyncio.create_task(seen.wait())
    await asyncio.wait(
        {waiting, asyncio.ensure_future(process.wait())},
        timeout=180,
        return_when=asyncio.FIRST_COMPLETED,
    )
    if not seen.is_set():
        raise SystemExit(f"{argv} did not start:\n" + "\n".join(worker.log[-20:]))
    return worker


class Telegram:
    """Delivers updates to the workers in turn; retries on another worker as Telegram would."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.next = 0
        self.retries = 0
        self.unanswered = 0  # delivered (200) with no reply reaching the fake
        self.statuses: dict[int, int] = defaultdict(int)
        self.ids = iter(range(1, 10**9))

    def update(self, kind: str, payload: Json) -> Json:
        return {"update_id": next(self.ids), kind: payload}

    async def deliver(self, update: Json) -> None:
        body = json.dumps(update)
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        for attempt in range(60):
            alive = [w for w in self.workers if w.process.returncode is None]
            worker = alive[(self.next + attempt) % len(alive)]
            self.next += 1
            try:
                async with self.http.post(
                    f"http://127.0.0.1:{worker.port}{HOOK}", data=body, headers=headers
                ) as response:
                    status = response.status
            except (aiohttp.ClientError, OSError):
                status = 599
            self.statuses[status] += 1
            if status == 200:
                return
            self.retries += 1
            await asyncio.sleep(1.0)
        raise RuntimeError(f"update {update['update_id']} never accepted")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.http.close()


def user(uid: int) -> Json:
    return {"id": uid, "is_bot": False, "first_name": f"用户{uid}", "language_code": "zh"}


def text_message(fake: FakeBotAPI, uid: int, text: str, reply_to: Json | None = None) -> Json:
    message: dict[str, Any] = {
        "message_id": fake.new_message_id(uid),
        "from": user(uid),
        "chat": {"id": uid, "type": "private", "first_name": f"用户{uid}"},
        "date": int(time.time()),
        "text": text,
    }
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    fake.remember(message)
    return message


def press(fake: FakeBotAPI, uid: int, message_id: int, data: str, n: int) -> Json:
    query_id = f"bench-{uid}-{n}"
    fake.register_callback(query_id, uid)
    return {
        "id": query_id,
        "from": user(uid),
        "message": fake.message(uid, message_id),
        "chat_instance": str(uid),
        "data": data,
    }
