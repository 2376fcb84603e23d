"""The SIGKILL test's child process: the production app's outbox sender alone, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.app import build_app, close
from bot.config import load_settings
from storage.db import migrate


async def main() -> None:
    """Build the app from the environment, as `python -m bot run` does, and run only its sender."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, stream=sys.stderr)
    app = build_app(settings)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await migrate(app.engine)
        await app.sender.run(stop)
    finally:
        await close(app)


if __name__ == "__main__":
    asyncio.run(main())
