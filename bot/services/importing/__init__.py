"""What admins' files bring in: the directory import (read, check, plan, bindings, holdings, apply and the due
items it implies), working-day overrides (and the due dates they move), the 年终考核 sheet. Reads openpyxl
workbooks. May use: ledger, directory, calendar, oversight.assign (to keep assigned tasks)."""
