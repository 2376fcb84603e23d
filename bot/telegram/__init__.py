"""What talks to the Bot API: the one notifier, the outbox sender, the pacer, delivery outcomes, the poller and
text splitting."""
