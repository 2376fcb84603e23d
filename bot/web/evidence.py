"""Evidence files for the web view, fetched from the Bot API by file_id (getFile + download)."""

from __future__ import annotations

import logging
from collections import OrderedDict

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

logger = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # what getFile lets a bot download
CACHED = 64  # recent files kept in memory: a page of thumbnails opened again costs nothing


class BotFiles:
    """A FileSource over a Bot (Telegram's, a self-hosted Bot API server, or the chat mode's fake)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    async def fetch(self, file_id: str) -> bytes | None:
        """The file's bytes, or None when the Bot API no longer has it (logged)."""
        if file_id in self._cache:
            self._cache.move_to_end(file_id)
            return self._cache[file_id]
        try:
            found = await self.bot.get_file(file_id)
            if found.file_path is None or (found.file_size or 0) > MAX_BYTES:
                return None
            stream = await self.bot.download_file(found.file_path)
        except (TelegramAPIError, TelegramNetworkError):
            logger.warning("evidence file %s could not be fetched", file_id)
            return None
        if stream is None:
            return None
        data = stream.read()
        self._cache[file_id] = data
        while len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return data
