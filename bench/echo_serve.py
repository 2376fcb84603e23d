"""The ceiling of the serve bench: a bare aiogram echo bot behind the same webhook handler as `serve`.

aiogram's Dispatcher with two handlers and no middleware, database or pacer: a text is sent
back with a 确认 button (as the bot's proposal carries), a press is answered and its message
edited (as 确认 is). It is served by bot.telegram.webhook.Webhook on the same path, with the
same secret check and Update parsing, so the two differ only in what handling an update costs.
Environment as for `serve` (BOT_TOKEN, BOT_API_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN).
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web  # noqa: E402

from bot.services.outbox import Backlog  # noqa: E402
from bot.telegram.metrics import Metrics  # noqa: E402
from bot.telegram.pacer import Pacer  # noqa: E402
from bot.telegram.webhook import Probes, Webhook, web_application  # noqa: E402

CONFIRM = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="确认", callback_data="ok")]]
)


async def echo_text(message: Message, bot: Bot) -> None:
    await bot.send_message(message.chat.id, html.escape(message.text or ""), reply_markup=CONFIRM)


async def echo_press(query: CallbackQuery, bot: Bot) -> None:
    await query.answer("已记入")
    assert query.message is not None
    await bot.edit_message_text(
        chat_id=query.from_user.id, message_id=query.message.message_id, text="已确认"
    )


async def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    api = TelegramAPIServer.from_base(os.environ["BOT_API_URL"])
    bot = Bot(token=os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dispatcher = Dispatcher()
    router = Router(name="echo")
    router.message.register(echo_text, F.text)
    router.callback_query.register(echo_press)
    dispatcher.include_router(router)

    async def backlog() -> Backlog:
        return Backlog(waiting=0, due=0, oldest_due_seconds=0.0)

    async def holder() -> str | None:
        return "echo"

    webhook = Webhook(
        dispatcher,
        bot,
        secret=os.environ["WEBHOOK_SECRET"],
        metrics=Metrics(pacer=Pacer(), steps=lambda: 0),
        probes=Probes(backlog=backlog, holder=holder, leading=lambda: True),
    )
    app = web_application(webhook, path="/tg/hook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, port = os.environ["WEBHOOK_LISTEN"].rsplit(":", 1)
    await web.TCPSite(runner, host, int(port)).start()
    print("serving the webhook (echo)", file=sys.stderr, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
