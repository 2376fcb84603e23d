"""The directory: who a Telegram account is (identity, invite codes, binding), work groups, leave and
who acts for whom, who receives what. May use: calendar, the shared errors."""
