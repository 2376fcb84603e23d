"""履责助手: the Telegram bot for 两个责任 responsibility lists (core package)."""
