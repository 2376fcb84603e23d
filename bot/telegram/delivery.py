"""What became of one outbox message: Telegram's answer sorted into sent, flood, retry, unreachable, failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)

Outcome = Literal["sent", "flood", "retry", "unreachable", "failed"]
# 5xx, timeouts, a proxy's error page, a token being rotated: worth another try later
_TRANSIENT = (
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
    ClientDecodeError,
)


MAX_DELAY = 3600.0  # seconds: an outage of any length is retried at least hourly, never given up


def retry_delay(attempt: int) -> float:
    """Seconds before retrying after the attempt-th 5xx or network failure: 5, 10, 20 … ≤ 1 h."""
    return float(min(5 * 2 ** min(max(attempt - 1, 0), 20), MAX_DELAY))


@dataclass(frozen=True)
class Delivery:
    """One outbox row's result; the sender marks the row after it.

    sent (message_id); flood (429 beyond the notifier's budget: not a failure) and retry (5xx,
    network, timeout: transient, retried for as long as it takes): send again after retry_after
    seconds; unreachable (403: blocked, deactivated) and failed (400 and other refusals, reason
    kept) are permanent.
    """

    outcome: Outcome
    message_id: int | None = None
    retry_after: float = 0.0
    reason: str = ""


def html_refused(exc: AiogramError) -> bool:
    """Telegram could not parse the HTML: worth sending once more unformatted."""
    return isinstance(exc, TelegramBadRequest) and "can't parse entities" in exc.message


def classify(exc: AiogramError, *, attempt: int) -> Delivery:
    """The Delivery for a refusal other than 429 (which the notifier waits out itself)."""
    if isinstance(exc, TelegramForbiddenError):
        return Delivery("unreachable", reason=exc.message)
    if isinstance(exc, _TRANSIENT):
        reason = f"{type(exc).__name__}: {exc}"
        return Delivery("retry", retry_after=retry_delay(attempt), reason=reason)
    if isinstance(exc, TelegramBadRequest):
        return Delivery("failed", reason=exc.message)
    if isinstance(exc, TelegramAPIError):
        return Delivery("failed", reason=f"{type(exc).__name__}: {exc.message}")
    return Delivery("failed", reason=f"{type(exc).__name__}: {exc}")
