"""Tests of the local chat: the fake Bot API, the driver and the terminal REPL."""
