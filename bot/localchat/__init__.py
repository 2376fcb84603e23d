"""bot/localchat."""
