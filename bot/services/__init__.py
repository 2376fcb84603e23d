"""Use cases and pure domain logic: no aiogram, no APScheduler; each verb takes `now`."""
