"""What the matcher answers: the candidates it is given, its result for a message, the outcome."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from bot.services.records.matching.intent import Intent

__all__ = ["Candidate", "MatchResult", "Outcome"]


@dataclass(frozen=True)
class Candidate:
    """One item the sender could be recording; `key` is the caller's id (e.g. the due item's)."""

    key: int
    code: str
    content: str
    measures: str = ""
    open: bool = True


class Outcome(StrEnum):
    """What the reply should do with a result."""

    NOT_COMPLETION = "not_completion"  # say nothing was recorded; name no code
    NO_MATCH = "no_match"  # nothing in the list fits: offer the full list
    UNSURE = "unsure"  # offer `ranked` (best first) and 其他
    CONFIDENT = "confident"  # propose `confident`
    SPLIT = "split"  # propose each of `parts`


@dataclass(frozen=True)
class MatchResult:
    """The matcher's answer for one message (or one part of it).

    `confident` is set only when the best candidate fits the sentence in absolute terms, not
    only better than the rest; `marked` says the text carries a sign that something was done
    (了, 已, 完成, a past day); `happened_on` is the day it names, when not after the sender's
    today. Only a `sure` result may be recorded without the sender's confirmation."""

    text: str
    intent: Intent
    confident: Candidate | None = None
    ranked: list[tuple[Candidate, float]] = field(default_factory=list)
    score: float = 0.0  # the best candidate's score
    margin: float = 0.0  # (best − second) / best, 0 when nothing scored
    coverage: float = 0.0  # best / what the sentence's own terms could score (see ranking.py)
    parts: list[MatchResult] = field(default_factory=list)
    marked: bool = False
    happened_on: datetime.date | None = None
    near_miss: str | None = None  # why the best is not confident although it shares words

    @property
    def outcome(self) -> Outcome:
        if self.intent is not Intent.COMPLETION:
            return Outcome.NOT_COMPLETION
        if self.parts:
            return Outcome.SPLIT
        if self.confident is not None:
            return Outcome.CONFIDENT
        return Outcome.UNSURE if self.ranked else Outcome.NO_MATCH

    @property
    def sure(self) -> bool:
        """Confident, marked as done and a completion: may be recorded at once."""
        return self.outcome is Outcome.CONFIDENT and self.marked
