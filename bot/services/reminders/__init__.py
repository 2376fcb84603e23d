"""Reminders: the ladder (which step a due item is at), the reminder run that queues them, the yearly notice of
estimated working days. May use: ledger, directory, calendar, the outbox."""
