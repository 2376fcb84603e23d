"""The calendar: periods (month, quarter, half-year, year, one-off), each item's due date in them, working days
(China's holidays and 调休, admins' overrides). Owns no rule about what is done; imports nothing from other services."""
