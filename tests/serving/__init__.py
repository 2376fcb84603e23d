"""Tests of `python -m bot serve`: the webhook, health and metrics, several workers, the shared pacer."""
