"""The serve bench's data: the template district copied per scenario, the officials and their sentences, the reminder run, the checks after a kill."""

from __future__ import annotations

import asyncio
import random
import sys
from dataclasses import dataclass

import asyncpg

from bench.serve_rig import ROOT, TOKEN, BenchFake, Replies, Telegram, start_fake, worker_env

TEMPLATE = "bench_serve_tmpl_{units}"  # one per district size
REMINDED = "bench_serve_reminded_{units}"  # the same after the reminder run
RUN = "bench_serve_run"
TICK_AT = "2026-12-24T09:00"  # Q4's items are in their reminder window (as the README's demo)


@dataclass
class Official:
    uid: int
    sentence: str


async def _conn(base: str, name: str = "postgres") -> asyncpg.Connection:
    return await asyncpg.connect(f"{base}/{name}")


async def fresh_copy(base: str, template: str) -> str:
    conn = await _conn(base)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{RUN}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return f"{base}/{RUN}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def officials(base: str, limit: int, seed: int = 11) -> list[Official]:
    """Officials with a Telegram id, each with a sentence naming an item: the first one their
    reminder named (the reminder run came first), else one of their items."""
    conn = await _conn(base, RUN)
    try:
        rows = await conn.fetch(
            """SELECT p.telegram_id, coalesce(
                   (SELECT i.content FROM reply_meaning r
                      JOIN dueitem d ON d.id = split_part(r.due_item_ids, ',', 1)::int
                      JOIN holding h ON h.id = d.holding_id JOIN item i ON i.id = h.item_id
                     WHERE r.chat_id = p.telegram_id AND r.due_item_ids <> ''
                       AND i.system IS NULL
                     ORDER BY r.id DESC LIMIT 1),
                   (SELECT min(i.content) FROM holding h JOIN item i ON i.id = h.item_id
                     WHERE h.person_id = p.id AND i.system IS NULL)) AS content
               FROM person p WHERE p.telegram_id IS NOT NULL ORDER BY p.telegram_id"""
        )
    finally:
        await conn.close()
    rng = random.Random(seed)
    rows = [r for r in rows if r["content"]]
    chosen = rng.sample(rows, min(limit, len(rows)))
    return [Official(r["telegram_id"], f"今天上午{r['content'][:40]}，已完成") for r in chosen]


async def reminded(base: str, units: int) -> str:
    """The template after the reminder run at TICK_AT (made once per district size: the run
    for 10,000 people takes minutes), every scenario copies it."""
    name, source = REMINDED.format(units=units), TEMPLATE.format(units=units)
    conn = await _conn(base)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    finally:
        await conn.close()
    fake, _, api = await start_fake(enforce_limits=False)
    try:
        env = worker_env(
            f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://"),
            api,
            1,
            send_rate=1000,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "tick",
            "--now",
            TICK_AT,
            cwd=ROOT,
            env=env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
    finally:
        await fake.stop()
    if process.returncode:
        raise SystemExit("the reminder run failed:\n" + err.decode()[-2000:])
    print(out.decode().strip(), flush=True)
    return name


async def seed_reminders(base: str, fake: BenchFake) -> int:
    """Give the fake every reminder the run sent (a reply quotes it); how many chats got one."""
    conn = await _conn(base, RUN)
    try:
        rows = await conn.fetch(
            """SELECT o.chat_id, max(o.telegram_message_id) AS message_id FROM outbox o
               JOIN reply_meaning r ON r.outbox_id = o.id
               WHERE r.kind = 'REMINDER' AND o.telegram_message_id IS NOT NULL
               GROUP BY o.chat_id"""
        )
    finally:
        await conn.close()
    bot = fake.me(TOKEN)
    for row in rows:
        chat, message_id = int(row["chat_id"]), int(row["message_id"])
        fake.remember(
            {
                "message_id": message_id,
                "from": bot,
                "chat": {"id": chat, "type": "private", "first_name": f"用户{chat}"},
                "date": 0,
                "text": "提醒",
            }
        )
        fake.reminders[chat] = message_id
        while fake.new_message_id(chat) < message_id:  # the user's next message comes after
            pass
    return len(rows)


async def once_each(
    base: str, tg: Telegram, replies: Replies, plan: list[tuple[Official, bool]]
) -> list[str]:
    """After a kill: claims for every posted update, none twice; replies per update."""
    posted = next(tg.ids) - 1
    conn = await _conn(base, RUN)
    try:
        claimed = await conn.fetchval(
            "SELECT count(*) FROM processedupdate WHERE update_id BETWEEN 1 AND $1", posted
        )
        made = await conn.fetchval(
            "SELECT count(*) FROM record WHERE recorded_at > now() - interval '1 hour'"
        )
        doubled = await conn.fetchval(
            """SELECT count(*) FROM (SELECT source_chat_id, source_message_id FROM record
               WHERE recorded_at > now() - interval '1 hour' AND source_message_id IS NOT NULL
               GROUP BY source_chat_id, source_message_id, due_item_id HAVING count(*) > 1) d"""
        )
    finally:
        await conn.close()
    chats = {who.uid for who, _ in plan}
    twice = sum(
        1
        for uid in chats
        if len({(s.method, s.message_id, s.text) for s in replies.by_chat[uid]})
        < len(replies.by_chat[uid])
    )
    return [
        f"updates posted {posted}; claims (updates that wrote something) {claimed}",
        f"records made {made}; a message recorded twice for one item: {doubled}",
        f"updates that got no reply: {tg.unanswered}",
        f"chats with a reply sent twice: {twice} of {len(chats)}",
        f"HTTP answers: {dict(tg.statuses)}",
    ]
