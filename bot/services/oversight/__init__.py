"""Oversight: /pending and the plain questions, progress, units, the 3+1 ranking, 照抄 duplicates, 约谈提醒,
交办督办 and its tracking, 公示, 催办 (nudge) and the charts. May use: notices, records (the matcher's
tokens), ledger, directory, calendar, the outbox."""
