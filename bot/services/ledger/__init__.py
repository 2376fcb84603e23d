"""The ledger: due items period by period, the built-in 季度自查 / 半年报告 items, closing, what is outstanding,
a holder's and a unit's items with their state. The one place that decides what is due, done, on time or
overdue. May use: directory, calendar."""
