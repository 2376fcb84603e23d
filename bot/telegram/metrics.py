"""Prometheus metrics of one worker, in its own registry: what /metrics shows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.services.outbox import Backlog
from bot.telegram.pacer import Pacer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# handling one update: a button or /my takes milliseconds, a heavy view or an import seconds
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class _Counts(Collector):
    """Counters kept as plain integers by the pacer and the jobs, read at each scrape."""

    def __init__(self, pacer: Pacer, steps: Callable[[], int]) -> None:
        self._pacer, self._steps = pacer, steps

    def collect(self) -> Iterable[Metric]:
        calls = CounterMetricFamily(
            "lvze_telegram_sends", "Bot API sends and edits let through by this worker's pacer"
        )
        calls.add_metric([], self._pacer.granted)
        floods = CounterMetricFamily(
            "lvze_telegram_429", "429 Too Many Requests answers (flood control) this worker met"
        )
        floods.add_metric([], self._pacer.floods)
        steps = CounterMetricFamily(
            "lvze_reminder_steps", "Reminder ladder steps taken by this worker's reminder runs"
        )
        steps.add_metric([], self._steps())
        return [calls, floods, steps]


class Metrics:
    """The worker's metrics: updates by type and outcome, handler latency, the outbox, sends."""

    def __init__(self, *, pacer: Pacer, steps: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "lvze_updates",
            "Webhook updates by type and outcome (handled, duplicate, failed)",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "lvze_webhook_rejected",
            "Webhook requests refused before handling, by reason (secret, json, stopping)",
            ["reason"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lvze_update_seconds",
            "Time from a webhook request to its answer, by update type",
            ["type"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.outbox_waiting = Gauge(
            "lvze_outbox_waiting",
            "Outbox rows not yet sent (pending or sending)",
            registry=self.registry,
        )
        self.outbox_due = Gauge(
            "lvze_outbox_due", "Outbox rows due now and not yet sent", registry=self.registry
        )
        self.outbox_oldest = Gauge(
            "lvze_outbox_oldest_due_seconds",
            "How long the oldest due outbox row has waited",
            registry=self.registry,
        )
        self.leading = Gauge(
            "lvze_scheduler_leader",
            "1 while this worker runs the scheduler and the outbox sender",
            registry=self.registry,
        )
        self.registry.register(_Counts(pacer, steps))

    def handled(self, kind: str, outcome: str, seconds: float) -> None:
        """One update answered: its type, how it ended, how long it took."""
        self.updates.labels(kind, outcome).inc()
        self.latency.labels(kind).observe(seconds)

    def render(self, backlog: Backlog | None, *, leading: bool) -> bytes:
        """The text exposition; the outbox gauges from `backlog` (None: the database did not answer)."""
        if backlog is not None:
            self.outbox_waiting.set(backlog.waiting)
            self.outbox_due.set(backlog.due)
            self.outbox_oldest.set(backlog.oldest_due_seconds)
        self.leading.set(1 if leading else 0)
        return generate_latest(self.registry)
