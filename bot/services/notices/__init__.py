"""通知: drafts, audiences, sending once through the outbox, 已阅 and its statistics. May use: directory,
calendar, the outbox."""
